import { css } from 'lit';

/**
 * Styles shared by the panels. Colours come from custom properties set on :root in
 * styles.css (light and dark), which reach into every component's shadow root.
 */
export const panelStyles = css`
  :host {
    display: block;
    color: var(--fg);
    font: inherit;
  }
  * {
    box-sizing: border-box;
  }
  section.panel {
    background: var(--surface);
    border: 1px solid var(--border);
    border-radius: var(--radius);
    padding: 18px 20px 20px;
    box-shadow: var(--shadow);
  }
  .panel-head {
    display: flex;
    align-items: baseline;
    justify-content: space-between;
    gap: 12px;
    margin-bottom: 12px;
  }
  h2 {
    font-size: 1rem;
    font-weight: 600;
    margin: 0;
    letter-spacing: 0.01em;
  }
  h3 {
    font-size: 0.95rem;
    font-weight: 600;
    margin: 0;
  }
  .muted {
    color: var(--muted);
  }
  .small {
    font-size: 0.85rem;
  }
  .empty {
    color: var(--muted);
    font-size: 0.9rem;
    margin: 4px 0;
  }
  code,
  .mono {
    font-family: ui-monospace, 'SF Mono', Menlo, Consolas, monospace;
    font-size: 0.85em;
  }
  button {
    font: inherit;
    font-size: 0.9rem;
    padding: 6px 12px;
    border-radius: 7px;
    border: 1px solid var(--border-strong);
    background: var(--surface);
    color: var(--fg);
    cursor: pointer;
    line-height: 1.3;
  }
  button:hover:not(:disabled) {
    background: var(--hover);
  }
  button.primary {
    background: var(--accent);
    border-color: var(--accent);
    color: var(--on-accent);
  }
  button.primary:hover:not(:disabled) {
    background: var(--accent-strong);
  }
  button:disabled {
    opacity: 0.5;
    cursor: default;
  }
  button:focus-visible,
  input:focus-visible,
  select:focus-visible,
  summary:focus-visible {
    outline: 2px solid var(--focus);
    outline-offset: 2px;
  }
  input[type='text'],
  input[type='password'],
  select {
    font: inherit;
    font-size: 0.9rem;
    padding: 6px 9px;
    border-radius: 7px;
    border: 1px solid var(--border-strong);
    background: var(--surface);
    color: var(--fg);
    min-width: 0;
  }
  label {
    font-size: 0.85rem;
    color: var(--muted);
  }
  .field {
    display: flex;
    flex-direction: column;
    gap: 4px;
    min-width: 0;
  }
  .message {
    font-size: 0.88rem;
    margin: 10px 0 0;
  }
  .message.error {
    color: var(--danger);
  }
  .message.ok {
    color: var(--ok);
  }
  .dot {
    display: inline-block;
    width: 8px;
    height: 8px;
    border-radius: 50%;
    background: var(--muted-dot);
    flex: none;
  }
  .dot.on {
    background: var(--ok);
  }
  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
