/** The dashboard's entry: one custom element, <syncline-dashboard>, in index.html. */
import './components/dashboard-app.js';
