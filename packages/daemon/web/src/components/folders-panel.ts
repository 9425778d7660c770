import { LitElement, css, html, nothing } from 'lit';
import { describeError, type ApiCaller } from '../connection.js';
import { formatPercent, formatRate, shortId } from '../format.js';
import type { FolderView, PeerView } from '../model.js';
import { folderProgress } from '../progress.js';
import { panelStyles } from '../theme.js';
import './add-folder-form.js';

/** Every folder of this device: its state, a progress bar (files, bytes, rate) and who it is shared with. */
export class FoldersPanel extends LitElement {
  static override properties = {
    folders: { attribute: false },
    peers: { attribute: false },
    api: { attribute: false },
    shareErrors: { state: true },
  };
  declare folders: readonly FolderView[];
  declare peers: readonly PeerView[];
  declare api: ApiCaller | undefined;
  declare shareErrors: Readonly<Record<string, string>>;

  constructor() {
    super();
    this.folders = [];
    this.peers = [];
    this.api = undefined;
    this.shareErrors = {};
  }

  private peerName = (id: string): string => {
    const p = this.peers.find((x) => x.deviceId === id);
    return p?.name || shortId(id);
  };

  private async share(folder: string, select: HTMLSelectElement): Promise<void> {
    const deviceId = select.value;
    if (!deviceId || !this.api) return;
    try {
      await this.api.call('folder.share', { id: folder, deviceId });
      this.shareErrors = { ...this.shareErrors, [folder]: '' };
      this.dispatchEvent(new CustomEvent('sl-refresh', { bubbles: true, composed: true }));
    } catch (err) {
      this.shareErrors = { ...this.shareErrors, [folder]: describeError(err, 'Sharing') };
    }
  }

  private renderFolder(view: FolderView) {
    const { status } = view;
    const progress = folderProgress(view, this.peerName);
    const notShared = this.peers.filter((p) => !status.devices.includes(p.deviceId));
    const barLabel = `${status.id}: ${progress.headline}`;
    const selectId = `share-${status.id}`;
    return html`
      <li class="folder" data-folder=${status.id} aria-label=${`Folder ${status.id}`}>
        <div class="row">
          <h3>${status.id}</h3>
          <span class="badge ${progress.tone}" data-state=${status.state}>${progress.headline}</span>
        </div>
        <div class="path mono">${status.path}</div>
        ${progress.percent === null
          ? nothing
          : html`<div class="bar-row">
              ${progress.percent === undefined
                ? html`<progress class=${progress.tone} aria-label=${barLabel}></progress>`
                : html`<progress class=${progress.tone} max="100" .value=${progress.percent} aria-label=${barLabel}></progress>`}
              <span class="percent" aria-hidden="true">${progress.percent === undefined ? '' : formatPercent(progress.percent)}</span>
            </div>`}
        <p class="stats small">
          ${[progress.files, progress.bytes, view.rate > 0 ? `↓ ${formatRate(view.rate)}` : ''].filter((s) => s !== '').join(' · ') || html`&nbsp;`}
        </p>
        <div class="share small">
          <span class="muted">Shared with</span>
          ${status.devices.length === 0
            ? html`<span class="muted">no device yet</span>`
            : status.devices.map((d) => html`<span class="chip" title=${d}>${this.peerName(d)}</span>`)}
          ${notShared.length === 0
            ? nothing
            : html`<span class="share-form">
                <label class="visually-hidden" for=${selectId}>Share ${status.id} with</label>
                <select id=${selectId}>
                  ${notShared.map((p) => html`<option value=${p.deviceId}>${p.name || this.peerName(p.deviceId)}</option>`)}
                </select>
                <button @click=${(e: Event) => this.share(status.id, (e.target as HTMLElement).previousElementSibling as HTMLSelectElement)}>Share</button>
              </span>`}
        </div>
        ${this.shareErrors[status.id] ? html`<p class="message error" role="alert">${this.shareErrors[status.id]}</p>` : nothing}
      </li>
    `;
  }

  override render() {
    return html`
      <section class="panel" aria-labelledby="folders-title">
        <div class="panel-head">
          <h2 id="folders-title">Folders</h2>
          <span class="muted small">${this.folders.length === 1 ? '1 folder' : `${this.folders.length} folders`}</span>
        </div>
        ${this.folders.length === 0 ? html`<p class="empty">No folders yet. Add one below.</p>` : html`<ul class="folders">${this.folders.map((f) => this.renderFolder(f))}</ul>`}
        <sl-add-folder .api=${this.api}></sl-add-folder>
      </section>
    `;
  }

  static override styles = [
    panelStyles,
    css`
      ul.folders {
        list-style: none;
        margin: 0 0 8px;
        padding: 0;
        display: grid;
        gap: 12px;
      }
      li.folder {
        border: 1px solid var(--border);
        border-radius: 8px;
        padding: 12px 14px;
      }
      .row {
        display: flex;
        align-items: center;
        justify-content: space-between;
        gap: 12px;
      }
      .row h3 {
        min-width: 0;
        overflow-wrap: anywhere;
      }
      .path {
        margin-top: 2px;
        color: var(--muted);
        overflow-wrap: anywhere;
      }
      .badge {
        flex: none;
        font-size: 0.8rem;
        font-weight: 550;
        padding: 2px 9px;
        border-radius: 999px;
        background: var(--hover);
        color: var(--muted);
        white-space: nowrap;
      }
      .badge.ok {
        background: var(--ok-soft);
        color: var(--ok);
      }
      .badge.busy {
        background: var(--busy-soft);
        color: var(--busy);
      }
      .badge.error {
        background: var(--danger-soft);
        color: var(--danger);
      }
      .bar-row {
        display: flex;
        align-items: center;
        gap: 10px;
        margin-top: 10px;
      }
      progress {
        flex: 1;
        height: 8px;
        border: none;
        border-radius: 999px;
        background: var(--track);
        overflow: hidden;
        appearance: none;
        -webkit-appearance: none;
      }
      progress::-webkit-progress-bar {
        background: var(--track);
        border-radius: 999px;
      }
      progress::-webkit-progress-value {
        background: var(--busy);
        border-radius: 999px;
      }
      progress.ok::-webkit-progress-value {
        background: var(--ok);
      }
      progress::-moz-progress-bar {
        background: var(--busy);
        border-radius: 999px;
      }
      progress.ok::-moz-progress-bar {
        background: var(--ok);
      }
      progress:indeterminate::-webkit-progress-bar {
        background: linear-gradient(90deg, var(--track) 0%, var(--track) 30%, var(--busy) 50%, var(--track) 70%, var(--track) 100%);
        background-size: 300% 100%;
        animation: sweep 1.6s linear infinite;
      }
      @keyframes sweep {
        from {
          background-position: 100% 0;
        }
        to {
          background-position: 0 0;
        }
      }
      @media (prefers-reduced-motion: reduce) {
        progress:indeterminate::-webkit-progress-bar {
          animation: none;
          background: var(--busy-soft);
        }
      }
      .percent {
        width: 3.2em;
        text-align: right;
        font-variant-numeric: tabular-nums;
        font-size: 0.85rem;
        color: var(--muted);
      }
      .stats {
        margin: 6px 0 0;
        color: var(--muted);
        font-variant-numeric: tabular-nums;
      }
      .share {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 6px;
        margin-top: 8px;
      }
      .chip {
        padding: 1px 8px;
        border-radius: 999px;
        border: 1px solid var(--border);
      }
      .share-form {
        display: inline-flex;
        gap: 6px;
        margin-left: auto;
      }
      .share-form select,
      .share-form button {
        font-size: 0.82rem;
        padding: 3px 8px;
      }
    `,
  ];
}

customElements.define('sl-folders', FoldersPanel);

declare global {
  interface HTMLElementTagNameMap {
    'sl-folders': FoldersPanel;
  }
}
