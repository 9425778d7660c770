import { LitElement, css, html, nothing } from 'lit';
import { ApiCallError, DaemonConnection, UNKNOWN_METHOD, type ConnectionState } from '../connection.js';
import { shortId } from '../format.js';
import { DashboardModel } from '../model.js';
import { panelStyles } from '../theme.js';
import { forgetToken, rememberToken, takeToken } from '../token.js';
import type { ConflictItem, ConflictList, DaemonStatus, PairingEvent, PeerStatus } from '../types.js';
import './conflicts-panel.js';
import './feed-panel.js';
import './folders-panel.js';
import './pair-panel.js';
import './peers-panel.js';
import './token-form.js';

const CONNECTION_TEXT: Record<ConnectionState['kind'], string> = {
  connecting: 'Connecting…',
  open: 'Live',
  reconnecting: 'Reconnecting…',
  refused: 'Refused',
};

/**
 * The dashboard: connects with the token, loads the daemon's status once per connection and
 * then follows its events. The conflicts list is fetched again only when an event says it
 * may have changed (one fetch at a time, one more if something changed meanwhile).
 */
export class DashboardApp extends LitElement {
  static override properties = {
    connection: { state: true },
    hasToken: { state: true },
    conflicts: { state: true },
    conflictsAvailable: { state: true },
    conflictsTruncated: { state: true },
    loadError: { state: true },
    copied: { state: true },
    pairingEvent: { state: true },
  };
  declare connection: ConnectionState;
  declare hasToken: boolean;
  declare conflicts: readonly ConflictItem[];
  declare conflictsAvailable: boolean;
  declare conflictsTruncated: boolean;
  declare loadError: string;
  declare copied: boolean;
  declare pairingEvent: PairingEvent | undefined;
  private readonly model = new DashboardModel();
  private client: DaemonConnection | undefined;
  private conflictsLoading: Promise<void> | undefined;
  private conflictsStale = false;

  constructor() {
    super();
    this.connection = { kind: 'connecting' };
    this.hasToken = false;
    this.conflicts = [];
    this.conflictsAvailable = true;
    this.conflictsTruncated = false;
    this.loadError = '';
    this.copied = false;
    this.pairingEvent = undefined;
    this.addEventListener('sl-refresh', () => void this.loadStatus());
    this.addEventListener('sl-conflicts-changed', () => void this.loadConflicts());
    this.addEventListener('sl-token', (e) => {
      rememberToken((e as CustomEvent<string>).detail);
      this.connect((e as CustomEvent<string>).detail);
    });
  }

  override connectedCallback(): void {
    super.connectedCallback();
    const token = takeToken();
    if (token) this.connect(token);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.client?.close();
  }

  private connect(token: string): void {
    this.client?.close();
    this.hasToken = true;
    this.client = new DaemonConnection(token, {
      state: (s) => {
        this.connection = s;
        if (s.kind === 'refused') forgetToken();
      },
      event: (name, data) => this.onEvent(name, data),
      opened: () => void this.loadAll(),
    });
    this.client.start();
  }

  private onEvent(name: string, data: unknown): void {
    if (name === 'pairing') this.pairingEvent = data as PairingEvent;
    const effects = this.model.apply(name, data);
    if (effects.peers) void this.loadPeers();
    if (effects.conflicts) void this.loadConflicts();
    this.requestUpdate();
  }

  private async loadAll(): Promise<void> {
    await this.loadStatus();
    await this.loadConflicts();
  }

  private async loadStatus(): Promise<void> {
    if (!this.client) return;
    try {
      this.model.loadStatus(await this.client.call<DaemonStatus>('status'));
      this.loadError = '';
    } catch (err) {
      this.loadError = `Could not load the daemon’s status: ${err instanceof Error ? err.message : String(err)}`;
    }
    this.requestUpdate();
  }

  private async loadPeers(): Promise<void> {
    if (!this.client) return;
    try {
      this.model.loadPeers(await this.client.call<PeerStatus[]>('peers'));
      this.requestUpdate();
    } catch {
      // the next status load brings them
    }
  }

  private loadConflicts(): Promise<void> {
    if (this.conflictsLoading) {
      this.conflictsStale = true;
      return this.conflictsLoading;
    }
    const run = async () => {
      do {
        this.conflictsStale = false;
        try {
          const list = await this.client!.call<ConflictList>('conflicts.list');
          this.conflicts = list.items;
          this.conflictsTruncated = list.truncated;
          this.conflictsAvailable = true;
        } catch (err) {
          if (err instanceof ApiCallError && err.code === UNKNOWN_METHOD) this.conflictsAvailable = false;
        }
      } while (this.conflictsStale);
    };
    this.conflictsLoading = run().finally(() => (this.conflictsLoading = undefined));
    return this.conflictsLoading;
  }

  private async copyDeviceId(): Promise<void> {
    await navigator.clipboard?.writeText(this.model.deviceId).then(
      () => {
        this.copied = true;
        setTimeout(() => (this.copied = false), 2000);
      },
      () => undefined,
    );
  }

  private renderHeader() {
    const kind = this.connection.kind;
    return html`
      <header>
        <div class="brand">
          <svg viewBox="0 0 32 32" width="26" height="26" aria-hidden="true">
            <rect width="32" height="32" rx="8" fill="var(--accent)"></rect>
            <path d="M9 12.5h11.5l-3-3M23 19.5H11.5l3 3" fill="none" stroke="var(--on-accent)" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"></path>
          </svg>
          <h1>Syncline</h1>
        </div>
        ${this.model.deviceId
          ? html`<div class="device small">
              <span class="muted">This device</span>
              ${this.model.deviceName ? html`<strong>${this.model.deviceName}</strong>` : nothing}
              <code title=${this.model.deviceId} data-testid="device-id">${shortId(this.model.deviceId)}</code>
              <button class="link small" @click=${this.copyDeviceId} aria-label="Copy this device’s ID">${this.copied ? 'Copied' : 'Copy ID'}</button>
            </div>`
          : nothing}
        ${this.hasToken
          ? html`<span class="connection ${kind}" role="status" data-testid="connection" data-state=${kind}>
              <span class="dot ${kind === 'open' ? 'on' : ''}" aria-hidden="true"></span>${CONNECTION_TEXT[kind]}
            </span>`
          : nothing}
      </header>
    `;
  }

  private renderBody() {
    if (!this.hasToken || this.connection.kind === 'refused') return html`<sl-token-form ?refused=${this.connection.kind === 'refused'}></sl-token-form>`;
    const api = this.connection.kind === 'open' ? this.client : undefined;
    return html`
      ${this.connection.kind === 'reconnecting'
        ? html`<p class="banner" role="status">Lost the connection to the daemon. Trying again in ${Math.round(this.connection.inMs / 1000) || 1} s…</p>`
        : nothing}
      ${this.loadError ? html`<p class="banner error" role="alert">${this.loadError}</p>` : nothing}
      <main>
        <div class="column wide">
          <sl-folders .folders=${this.model.folders} .peers=${this.model.peers} .api=${api}></sl-folders>
          <sl-conflicts .items=${this.conflicts} .available=${this.conflictsAvailable} .truncated=${this.conflictsTruncated} .api=${api}></sl-conflicts>
        </div>
        <div class="column">
          <sl-peers .peers=${this.model.peers}></sl-peers>
          <sl-pair .api=${api} .event=${this.pairingEvent}></sl-pair>
          <sl-feed .entries=${this.model.feed}></sl-feed>
        </div>
      </main>
    `;
  }

  override render() {
    return html`${this.renderHeader()}${this.renderBody()}`;
  }

  static override styles = [
    panelStyles,
    css`
      :host {
        display: block;
        min-height: 100vh;
      }
      header {
        display: flex;
        align-items: center;
        flex-wrap: wrap;
        gap: 10px 24px;
        padding: 14px max(20px, calc((100vw - 1240px) / 2));
        background: var(--surface);
        border-bottom: 1px solid var(--border);
      }
      .brand {
        display: flex;
        align-items: center;
        gap: 10px;
        margin-right: auto;
      }
      h1 {
        font-size: 1.15rem;
        font-weight: 650;
        margin: 0;
      }
      .device {
        display: flex;
        align-items: center;
        gap: 8px;
      }
      button.link {
        border: none;
        background: none;
        color: var(--accent);
        padding: 2px 4px;
      }
      .connection {
        display: inline-flex;
        align-items: center;
        gap: 7px;
        font-size: 0.85rem;
        padding: 3px 11px;
        border-radius: 999px;
        border: 1px solid var(--border);
        color: var(--muted);
      }
      .connection.open {
        color: var(--ok);
        border-color: color-mix(in srgb, var(--ok) 35%, transparent);
      }
      .connection.reconnecting,
      .connection.refused {
        color: var(--danger);
      }
      .banner {
        max-width: min(1200px, calc(100% - 40px));
        margin: 16px auto 0;
        padding: 10px 14px;
        border-radius: 8px;
        background: var(--warn-soft);
        color: var(--warn);
        box-sizing: border-box;
      }
      .banner.error {
        background: var(--danger-soft);
        color: var(--danger);
      }
      main {
        display: grid;
        grid-template-columns: minmax(0, 1.75fr) minmax(300px, 1fr);
        gap: 20px;
        align-items: start;
        max-width: 1240px;
        margin: 0 auto;
        padding: 20px;
      }
      .column {
        display: grid;
        grid-template-columns: minmax(0, 1fr);
        gap: 20px;
        min-width: 0;
      }
      @media (max-width: 900px) {
        main {
          grid-template-columns: minmax(0, 1fr);
          padding: 12px;
          gap: 12px;
        }
        .column {
          gap: 12px;
        }
        header {
          padding: 12px;
        }
      }
    `,
  ];
}

customElements.define('syncline-dashboard', DashboardApp);

declare global {
  interface HTMLElementTagNameMap {
    'syncline-dashboard': DashboardApp;
  }
}
