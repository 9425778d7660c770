import { LitElement, css, html, nothing } from 'lit';
import { describeError, type ApiCaller } from '../connection.js';
import { panelStyles } from '../theme.js';

const FOLDER_ID_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** Adds a folder to the daemon: an ID (the name peers know it by) and a path on this device. */
export class AddFolderForm extends LitElement {
  static override properties = {
    api: { attribute: false },
    busy: { state: true },
    error: { state: true },
    done: { state: true },
    open: { state: true },
  };
  declare api: ApiCaller | undefined;
  declare open: boolean;
  declare busy: boolean;
  declare error: string;
  declare done: string;

  constructor() {
    super();
    this.api = undefined;
    this.busy = false;
    this.error = '';
    this.done = '';
    this.open = false;
  }

  private async submit(e: SubmitEvent): Promise<void> {
    e.preventDefault();
    const form = e.target as HTMLFormElement;
    const data = new FormData(form);
    const id = String(data.get('id') ?? '').trim();
    const path = String(data.get('path') ?? '').trim();
    this.done = '';
    if (!FOLDER_ID_RE.test(id)) {
      this.error = 'A folder ID is 1–64 letters, digits, _ or -.';
      return;
    }
    if (!path.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(path)) {
      this.error = 'Give the folder’s full path on this device, like /home/me/Documents.';
      return;
    }
    if (!this.api) return;
    this.busy = true;
    this.error = '';
    try {
      await this.api.call('folder.add', { id, path });
      this.done = `Added ${id}. Share it with a device to start syncing.`;
      form.reset();
      this.open = false;
      this.dispatchEvent(new CustomEvent('sl-refresh', { bubbles: true, composed: true }));
    } catch (err) {
      this.error = describeError(err, 'Adding folders');
    } finally {
      this.busy = false;
    }
  }

  override render() {
    return html`
      <details .open=${this.open} @toggle=${(e: Event) => (this.open = (e.target as HTMLDetailsElement).open)}>
        <summary>Add a folder</summary>
        <form @submit=${this.submit} novalidate>
          <div class="field id">
            <label for="folder-id">Folder ID</label>
            <input id="folder-id" name="id" type="text" required autocomplete="off" spellcheck="false" placeholder="photos" />
          </div>
          <div class="field path">
            <label for="folder-path">Path on this device</label>
            <input id="folder-path" name="path" type="text" required autocomplete="off" spellcheck="false" placeholder="/home/me/Pictures" />
          </div>
          <button class="primary" type="submit" ?disabled=${this.busy}>${this.busy ? 'Adding…' : 'Add folder'}</button>
        </form>
        <p class="hint small muted">Use the same folder ID on every device that shares the folder.</p>
        ${this.error ? html`<p class="message error" role="alert">${this.error}</p>` : nothing}
      </details>
      ${this.done && !this.open ? html`<p class="message ok" role="status">${this.done}</p>` : nothing}
    `;
  }

  static override styles = [
    panelStyles,
    css`
      details {
        margin-top: 6px;
      }
      summary {
        cursor: pointer;
        color: var(--accent);
        font-size: 0.9rem;
        width: fit-content;
        border-radius: 4px;
      }
      form {
        display: flex;
        flex-wrap: wrap;
        align-items: flex-end;
        gap: 10px;
        margin-top: 12px;
      }
      .field.id {
        flex: 1 1 140px;
      }
      .field.path {
        flex: 3 1 240px;
      }
      .hint {
        margin: 8px 0 0;
      }
    `,
  ];
}

customElements.define('sl-add-folder', AddFolderForm);

declare global {
  interface HTMLElementTagNameMap {
    'sl-add-folder': AddFolderForm;
  }
}
