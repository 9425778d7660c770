import { LitElement, css, html, nothing } from 'lit';
import { formatClock } from '../format.js';
import type { FeedEntry, FeedKind } from '../model.js';
import { panelStyles } from '../theme.js';

const KIND_LABEL: Record<FeedKind, string> = {
  sync: 'Synced',
  conflict: 'Conflict',
  problem: 'Problem',
  peer: 'Device',
  resolved: 'Resolved',
  folder: 'Folder',
  pairing: 'Paired',
};

/** Recent changes as they happen: syncs, conflicts, problems, devices coming and going. */
export class FeedPanel extends LitElement {
  static override properties = { entries: { attribute: false } };
  declare entries: readonly FeedEntry[];

  constructor() {
    super();
    this.entries = [];
  }

  override render() {
    return html`
      <section class="panel" aria-labelledby="feed-title">
        <div class="panel-head">
          <h2 id="feed-title">Recent changes</h2>
        </div>
        ${this.entries.length === 0
          ? html`<p class="empty">Nothing yet. Changes appear here as they sync.</p>`
          : html`<ol aria-live="polite">
              ${this.entries.map(
                (e) => html`
                  <li class=${e.kind}>
                    <time class="small muted">${formatClock(e.atMs)}</time>
                    <div>
                      <span class="kind">${KIND_LABEL[e.kind]}</span>
                      <span class="text">${e.text}</span>
                      ${e.paths ? html`<ul class="paths">${e.paths.map((p) => html`<li class="mono">${p}</li>`)}</ul>` : nothing}
                    </div>
                  </li>
                `,
              )}
            </ol>`}
      </section>
    `;
  }

  static override styles = [
    panelStyles,
    css`
      ol {
        list-style: none;
        margin: 0;
        padding: 0;
        max-height: 420px;
        overflow-y: auto;
      }
      ol > li {
        display: grid;
        grid-template-columns: max-content minmax(0, 1fr);
        column-gap: 12px;
        padding: 8px 0;
        border-top: 1px solid var(--border);
        font-size: 0.9rem;
      }
      ol > li:first-child {
        border-top: none;
        padding-top: 0;
      }
      time {
        font-variant-numeric: tabular-nums;
        white-space: nowrap;
        padding-top: 1px;
      }
      .kind {
        font-size: 0.75rem;
        font-weight: 600;
        text-transform: uppercase;
        letter-spacing: 0.04em;
        margin-right: 6px;
        color: var(--muted);
      }
      .sync .kind,
      .resolved .kind,
      .pairing .kind {
        color: var(--ok);
      }
      .conflict .kind {
        color: var(--warn);
      }
      .problem .kind {
        color: var(--danger);
      }
      .paths {
        list-style: none;
        margin: 3px 0 0;
        padding: 0;
        color: var(--muted);
      }
      .paths li {
        overflow: hidden;
        text-overflow: ellipsis;
        white-space: nowrap;
      }
    `,
  ];
}

customElements.define('sl-feed', FeedPanel);

declare global {
  interface HTMLElementTagNameMap {
    'sl-feed': FeedPanel;
  }
}
