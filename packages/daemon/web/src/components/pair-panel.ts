import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { ApiCallError, describeError, UNKNOWN_METHOD, type ApiCaller } from '../connection.js';
import { shortId } from '../format.js';
import { panelStyles } from '../theme.js';
import type { PairCode, PairedPeer, PairingEvent } from '../types.js';

/**
 * Pairing with a short code: one device shows a code (`pair.start`), the other types it
 * (`pair.join`); both then trust each other. The daemon's `pairing` events say when the
 * code was used, mistyped or expired.
 */
export class PairPanel extends LitElement {
  static override properties = {
    api: { attribute: false },
    event: { attribute: false },
    code: { state: true },
    secondsLeft: { state: true },
    busy: { state: true },
    error: { state: true },
    done: { state: true },
    unavailable: { state: true },
  };
  declare api: ApiCaller | undefined;
  /** The latest `pairing` event. */
  declare event: PairingEvent | undefined;
  declare code: { code: string; expiresAtMs: number } | undefined;
  declare secondsLeft: number;
  declare busy: boolean;
  declare error: string;
  declare done: string;
  declare unavailable: boolean;
  private countdown: ReturnType<typeof setInterval> | undefined;

  constructor() {
    super();
    this.api = undefined;
    this.event = undefined;
    this.code = undefined;
    this.secondsLeft = 0;
    this.busy = false;
    this.error = '';
    this.done = '';
    this.unavailable = false;
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopCountdown();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('event') || !this.event) return;
    const e = this.event;
    if (e.state === 'paired') {
      this.closeCode();
      this.error = '';
      this.done = `Paired with ${e.name || shortId(e.deviceId)}. Share a folder with it to start syncing.`;
    } else if (e.state === 'expired' && this.code) {
      this.closeCode();
      this.error = 'The code expired. Show a new one to try again.';
    } else if (e.state === 'closed' && this.code) {
      this.closeCode();
      this.error = `Pairing closed${e.reason ? `: ${e.reason}` : ''}. Show a new code to try again.`;
    } else if (e.state === 'attempt-failed' && this.code) {
      this.error = `A wrong code was typed on the other device; ${e.attemptsLeft} ${e.attemptsLeft === 1 ? 'attempt' : 'attempts'} left.`;
    }
  }

  private failed(err: unknown): void {
    if (err instanceof ApiCallError && err.code === UNKNOWN_METHOD) this.unavailable = true;
    else this.error = describeError(err, 'Pairing');
  }

  private async showCode(): Promise<void> {
    if (!this.api) return;
    this.busy = true;
    this.error = '';
    this.done = '';
    try {
      const r = await this.api.call<PairCode>('pair.start');
      const expiresAtMs = typeof r.expiresAt === 'number' ? r.expiresAt : Date.parse(r.expiresAt);
      this.code = { code: r.code, expiresAtMs };
      this.startCountdown();
    } catch (err) {
      this.failed(err);
    } finally {
      this.busy = false;
    }
  }

  private async cancel(): Promise<void> {
    this.closeCode();
    await this.api?.call('pair.cancel').catch(() => undefined);
  }

  private async join(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const code = String(data.get('code') ?? '').trim();
    const addr = String(data.get('addr') ?? '').trim();
    if (!code) {
      this.error = 'Type the code shown on the other device.';
      return;
    }
    if (!this.api) return;
    this.busy = true;
    this.error = '';
    this.done = '';
    try {
      const peer = await this.api.call<PairedPeer | null>('pair.join', { code, ...(addr ? { addr } : {}) });
      const who = peer?.name || (peer?.deviceId ? shortId(peer.deviceId) : 'the other device');
      this.done = `Paired with ${who}. Share a folder with it to start syncing.`;
      form.reset();
      this.dispatchEvent(new CustomEvent('sl-refresh', { bubbles: true, composed: true }));
    } catch (err) {
      this.failed(err);
    } finally {
      this.busy = false;
    }
  }

  private startCountdown(): void {
    this.stopCountdown();
    const tick = () => {
      this.secondsLeft = this.code ? Math.max(0, Math.round((this.code.expiresAtMs - Date.now()) / 1000)) : 0;
      if (this.secondsLeft === 0) this.closeCode();
    };
    tick();
    this.countdown = setInterval(tick, 1000);
  }

  private stopCountdown(): void {
    if (this.countdown) clearInterval(this.countdown);
    this.countdown = undefined;
  }

  private closeCode(): void {
    this.stopCountdown();
    this.code = undefined;
  }

  private renderCode() {
    if (!this.code) return nothing;
    const m = Math.floor(this.secondsLeft / 60);
    const s = String(this.secondsLeft % 60).padStart(2, '0');
    return html`
      <div class="code-box" role="status">
        <span class="small muted">Type this code on the other device</span>
        <output class="code mono" aria-label="Pairing code" data-testid="pairing-code">${this.code.code}</output>
        <span class="small muted">Expires in ${m}:${s} · <button class="link" @click=${this.cancel}>Cancel</button></span>
      </div>
    `;
  }

  override render() {
    return html`
      <section class="panel" aria-labelledby="pair-title">
        <div class="panel-head">
          <h2 id="pair-title">Pair a device</h2>
        </div>
        ${this.unavailable
          ? html`<p class="message muted" role="status" data-testid="pair-unavailable">
              Pairing with a code is not available in this daemon version. Instead, run
              <code>syncline peer add DEVICE --addr ADDRESS</code> on each device with the other’s ID and address.
            </p>`
          : html`
              <p class="small muted intro">Show a code here and type it on the other device, or the other way round. Both devices then trust each other.</p>
              ${this.code ? this.renderCode() : html`<button class="primary" @click=${this.showCode} ?disabled=${this.busy}>Show a pairing code</button>`}
              <form @submit=${this.join} novalidate>
                <div class="field">
                  <label for="pair-code">Code from the other device</label>
                  <input id="pair-code" name="code" type="text" autocomplete="off" spellcheck="false" autocapitalize="none" placeholder="4-orbit-lemon-violet" />
                </div>
                <div class="field">
                  <label for="pair-addr">Its address, if it is on another network (optional)</label>
                  <input id="pair-addr" name="addr" type="text" autocomplete="off" spellcheck="false" autocapitalize="none" placeholder="/ip4/192.168.1.20/tcp/4001" />
                </div>
                <button type="submit" ?disabled=${this.busy}>Pair</button>
              </form>
              ${this.error ? html`<p class="message error" role="alert">${this.error}</p>` : nothing}
              ${this.done ? html`<p class="message ok" role="status">${this.done}</p>` : nothing}
            `}
      </section>
    `;
  }

  static override styles = [
    panelStyles,
    css`
      .intro {
        margin: 0 0 12px;
      }
      .code-box {
        display: flex;
        flex-direction: column;
        align-items: center;
        gap: 4px;
        padding: 12px;
        border-radius: 8px;
        background: var(--busy-soft);
        text-align: center;
      }
      .code {
        font-size: 1.35rem;
        font-weight: 600;
        letter-spacing: 0.03em;
        overflow-wrap: anywhere;
      }
      button.link {
        border: none;
        background: none;
        color: var(--accent);
        padding: 0 2px;
        font-size: inherit;
      }
      form {
        display: grid;
        gap: 10px;
        margin-top: 16px;
      }
      form button {
        justify-self: start;
      }
    `,
  ];
}

customElements.define('sl-pair', PairPanel);

declare global {
  interface HTMLElementTagNameMap {
    'sl-pair': PairPanel;
  }
}
