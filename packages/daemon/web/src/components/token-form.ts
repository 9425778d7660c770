import { LitElement, css, html, nothing } from 'lit';
import { isWellFormedToken } from '../token.js';
import { panelStyles } from '../theme.js';

/** Asks for the control-API token when the page was opened without one or the daemon refused it. */
export class TokenForm extends LitElement {
  static override properties = { refused: { type: Boolean }, error: { state: true } };
  declare refused: boolean;
  declare error: string;

  constructor() {
    super();
    this.refused = false;
    this.error = '';
  }

  private submit(e: SubmitEvent): void {
    e.preventDefault();
    const token = String(new FormData(e.target as HTMLFormElement).get('token') ?? '').trim();
    if (!isWellFormedToken(token)) {
      this.error = 'A token is 64 hexadecimal characters.';
      return;
    }
    this.error = '';
    this.dispatchEvent(new CustomEvent('sl-token', { detail: token, bubbles: true, composed: true }));
  }

  override render() {
    return html`
      <section class="panel" aria-labelledby="token-title">
        <h2 id="token-title">${this.refused ? 'The daemon refused this token' : 'Connect to the daemon'}</h2>
        ${this.refused
          ? html`<p class="message error" role="alert" data-testid="token-refused">The token does not match this daemon’s. Open the dashboard with the current token.</p>`
          : nothing}
        <p class="muted intro">
          The dashboard needs the token from the <code>api-token</code> file in the daemon’s home (by default
          <code>~/.config/syncline/api-token</code>). Open <code>http://127.0.0.1:PORT/#token=TOKEN</code>, or paste it here.
        </p>
        <form @submit=${this.submit} novalidate>
          <div class="field">
            <label for="token">Token</label>
            <input id="token" name="token" type="password" autocomplete="off" spellcheck="false" class="mono" />
          </div>
          <button class="primary" type="submit">Connect</button>
        </form>
        ${this.error ? html`<p class="message error" role="alert">${this.error}</p>` : nothing}
      </section>
    `;
  }

  static override styles = [
    panelStyles,
    css`
      :host {
        max-width: 620px;
        margin: 48px auto;
      }
      h2 {
        font-size: 1.15rem;
        margin-bottom: 8px;
      }
      .intro {
        font-size: 0.92rem;
      }
      form {
        display: flex;
        align-items: flex-end;
        gap: 10px;
        margin-top: 16px;
      }
      .field {
        flex: 1;
      }
    `,
  ];
}

customElements.define('sl-token-form', TokenForm);

declare global {
  interface HTMLElementTagNameMap {
    'sl-token-form': TokenForm;
  }
}
