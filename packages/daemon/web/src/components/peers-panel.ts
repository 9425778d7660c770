import { LitElement, css, html } from 'lit';
import { formatRate, shortId } from '../format.js';
import type { PeerView } from '../model.js';
import { panelStyles } from '../theme.js';

/** The trusted devices: connected or not, and how fast data comes in from each. */
export class PeersPanel extends LitElement {
  static override properties = { peers: { attribute: false } };
  declare peers: readonly PeerView[];

  constructor() {
    super();
    this.peers = [];
  }

  override render() {
    const connected = this.peers.filter((p) => p.connected).length;
    return html`
      <section class="panel" aria-labelledby="peers-title">
        <div class="panel-head">
          <h2 id="peers-title">Devices</h2>
          <span class="muted small" data-testid="peers-summary">${connected} of ${this.peers.length} connected</span>
        </div>
        ${this.peers.length === 0
          ? html`<p class="empty">No trusted devices yet. Pair one below.</p>`
          : html`<ul>
              ${this.peers.map(
                (p) => html`
                  <li data-peer=${p.deviceId} data-connected=${String(p.connected)} aria-label=${`${p.name || shortId(p.deviceId)}: ${p.connected ? 'connected' : 'not connected'}`}>
                    <span class="dot ${p.connected ? 'on' : ''}" aria-hidden="true"></span>
                    <span class="who">
                      <span class="name">${p.name || shortId(p.deviceId)}</span>
                      <span class="id mono" title=${p.deviceId}>${p.name ? shortId(p.deviceId) : p.addrs[0] ?? ''}</span>
                    </span>
                    <span class="state small ${p.connected ? 'on' : ''}">${p.connected ? 'Connected' : 'Offline'}</span>
                    <span class="rate small" title="Receiving">${p.rate > 0 ? `↓ ${formatRate(p.rate)}` : ''}</span>
                  </li>
                `,
              )}
            </ul>`}
      </section>
    `;
  }

  static override styles = [
    panelStyles,
    css`
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
      }
      li {
        display: grid;
        grid-template-columns: auto minmax(0, 1fr) auto;
        grid-template-areas: 'dot who state' '. rate rate';
        align-items: center;
        column-gap: 10px;
        padding: 9px 0;
        border-top: 1px solid var(--border);
      }
      li:first-child {
        border-top: none;
        padding-top: 2px;
      }
      .dot {
        grid-area: dot;
      }
      .who {
        grid-area: who;
        display: flex;
        flex-direction: column;
        min-width: 0;
      }
      .name {
        font-weight: 550;
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .id {
        color: var(--muted);
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
      .state {
        grid-area: state;
        color: var(--muted);
      }
      .state.on {
        color: var(--ok);
      }
      .rate {
        grid-area: rate;
        color: var(--muted);
        font-variant-numeric: tabular-nums;
      }
      .rate:empty {
        display: none;
      }
    `,
  ];
}

customElements.define('sl-peers', PeersPanel);

declare global {
  interface HTMLElementTagNameMap {
    'sl-peers': PeersPanel;
  }
}
