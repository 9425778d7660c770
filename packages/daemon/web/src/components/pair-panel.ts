import { LitElement, css, html, nothing } from 'lit';
import { ApiCallError, describeError, UNKNOWN_METHOD, type ApiCaller } from '../connection.js';
import { shortId } from '../format.js';
import { panelStyles } from '../theme.js';
import type { PairCode } from '../types.js';

/**
 * Pairing with a short code: one device shows a code (`pair.start`), the other types it
 * (`pair.join`); both then trust each other.
 */
export class PairPanel extends LitElement {
  static override properties = {
    api: { attribute: false },
    code: { state: true },
    secondsLeft: { state: true },
    busy: { state: true },
    error: { state: true },
    done: { state: true },
    unavailable: { state: true },
  };
  declare api: ApiCaller | undefined;
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

  private async join(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const code = String(new FormData(form).get('code') ?? '').trim();
    if (!code) {
      this.error = 'Type the code shown on the other device.';
      return;
    }
    if (!this.api) return;
    this.busy = true;
    this.error = '';
    this.done = '';
    try {
      const r = await this.api.call<{ deviceId?: string; name?: string } | null>('pair.join', { code });
      const who = r?.name || (r?.deviceId ? shortId(r.deviceId) : 'the other device');
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
      if (this.secondsLeft === 0) {
        this.stopCountdown();
        this.code = undefined;
      }
    };
    tick();
    this.countdown = setInterval(tick, 1000);
  }

  private stopCountdown(): void {
    if (this.countdown) clearInterval(this.countdown);
    this.countdown = undefined;
  }

  private renderCode() {
    if (!this.code) return nothing;
    const m = Math.floor(this.secondsLeft / 60);
    const s = String(this.secondsLeft % 60).padStart(2, '0');
    return html`
      <div class="code-box" role="status">
        <span class="small muted">Type this code on the other device</span>
        <output class="code mono" aria-label="Pairing code">${this.code.code}</output>
        <span class="small muted">Expires in ${m}:${s}</span>
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
              <button class="primary" @click=${this.showCode} ?disabled=${this.busy}>Show a pairing code</button>
              ${this.renderCode()}
              <form @submit=${this.join} novalidate>
                <div class="field">
                  <label for="pair-code">Code from the other device</label>
                  <input id="pair-code" name="code" type="text" autocomplete="off" spellcheck="false" inputmode="text" placeholder="123-456" />
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
        margin: 14px 0 4px;
        padding: 12px;
        border-radius: 8px;
        background: var(--busy-soft);
      }
      .code {
        font-size: 1.7rem;
        font-weight: 600;
        letter-spacing: 0.12em;
      }
      form {
        display: flex;
        align-items: flex-end;
        gap: 8px;
        margin-top: 14px;
      }
      form .field {
        flex: 1;
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
