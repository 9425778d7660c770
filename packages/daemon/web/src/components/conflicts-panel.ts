import { LitElement, css, html, nothing, type PropertyValues } from 'lit';
import { applySelection, conflictKey, nextSort, pruneSelection, sortConflicts, type SortDirection, type SortKey } from '../conflict-table.js';
import { describeError, type ApiCaller } from '../connection.js';
import { formatBytes, formatDateTime } from '../format.js';
import { panelStyles } from '../theme.js';
import type { ConflictAction, ConflictItem, ResolveResult } from '../types.js';

const ACTIONS: readonly { action: ConflictAction; label: string; help: string; done: string }[] = [
  { action: 'keep-mine', label: 'Keep mine', help: 'Keep the file at its name; the conflict copy goes to the trash.', done: 'kept the files at their names' },
  { action: 'take-theirs', label: 'Take theirs', help: 'Put the conflict copy in the file’s place; the file goes to the trash.', done: 'took the conflict copies' },
  { action: 'keep-both', label: 'Keep both', help: 'Keep both files as they are and stop listing the conflict.', done: 'kept both versions' },
];

const COLUMNS: readonly { key: SortKey; label: string }[] = [
  { key: 'path', label: 'File' },
  { key: 'size', label: 'Size' },
  { key: 'time', label: 'Modified' },
  { key: 'peer', label: 'Peer' },
];

/**
 * Conflict copies waiting for a decision: sortable by path, size, time and peer; select one,
 * a range (shift-click) or all; then keep mine, take theirs or keep both for the selection.
 */
export class ConflictsPanel extends LitElement {
  static override properties = {
    items: { attribute: false },
    available: { attribute: false },
    truncated: { attribute: false },
    api: { attribute: false },
    sort: { state: true },
    selected: { state: true },
    busy: { state: true },
    message: { state: true },
  };
  declare items: readonly ConflictItem[];
  declare available: boolean;
  declare truncated: boolean;
  declare api: ApiCaller | undefined;
  declare sort: { key: SortKey; direction: SortDirection };
  declare selected: ReadonlySet<string>;
  declare busy: boolean;
  declare message: { tone: 'ok' | 'error'; text: string } | undefined;
  private anchor: string | undefined;

  constructor() {
    super();
    this.items = [];
    this.available = true;
    this.truncated = false;
    this.api = undefined;
    this.sort = { key: 'path', direction: 'ascending' };
    this.selected = new Set();
    this.busy = false;
    this.message = undefined;
  }

  private get rows(): ConflictItem[] {
    return sortConflicts(this.items, this.sort.key, this.sort.direction);
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('items')) this.selected = pruneSelection(this.selected, this.items.map(conflictKey));
  }

  private toggle(key: string, e: MouseEvent): void {
    const checked = (e.target as HTMLInputElement).checked;
    this.selected = applySelection(this.selected, this.rows.map(conflictKey), key, checked, this.anchor, e.shiftKey);
    this.anchor = key;
  }

  private toggleAll(e: Event): void {
    const checked = (e.target as HTMLInputElement).checked;
    this.selected = checked ? new Set(this.items.map(conflictKey)) : new Set();
    this.anchor = undefined;
  }

  private async resolve(action: ConflictAction): Promise<void> {
    if (!this.api || this.selected.size === 0) return;
    const chosen = this.items.filter((c) => this.selected.has(conflictKey(c)));
    const byFolder = new Map<string, string[]>();
    for (const c of chosen) byFolder.set(c.folder, [...(byFolder.get(c.folder) ?? []), c.copy]);
    this.busy = true;
    this.message = undefined;
    const failures: string[] = [];
    let resolved = 0;
    try {
      for (const [folder, copies] of byFolder) {
        const r = await this.api.call<ResolveResult>('conflicts.resolve', { folder, copies, action });
        for (const o of r.outcomes) {
          if (o.ok) resolved++;
          else failures.push(`${o.copy}: ${o.error ?? 'failed'}`);
        }
      }
      const what = ACTIONS.find((a) => a.action === action)!.done;
      this.message =
        failures.length === 0
          ? { tone: 'ok', text: `Resolved ${resolved} ${resolved === 1 ? 'conflict' : 'conflicts'}: ${what}.` }
          : { tone: 'error', text: `Resolved ${resolved}; ${failures.length} could not be resolved. ${failures.slice(0, 3).join('; ')}` };
      this.selected = new Set();
      this.anchor = undefined;
    } catch (err) {
      this.message = { tone: 'error', text: describeError(err, 'Resolving conflicts') };
    } finally {
      this.busy = false;
      this.dispatchEvent(new CustomEvent('sl-conflicts-changed', { bubbles: true, composed: true }));
    }
  }

  private renderHeader(col: { key: SortKey; label: string }) {
    const active = this.sort.key === col.key;
    return html`<th scope="col" class=${col.key} aria-sort=${active ? this.sort.direction : 'none'}>
      <button class="sort" @click=${() => (this.sort = nextSort(this.sort, col.key))}>
        ${col.label}<span class="arrow" aria-hidden="true">${active ? (this.sort.direction === 'ascending' ? '▲' : '▼') : ''}</span>
      </button>
    </th>`;
  }

  private renderTable() {
    const rows = this.rows;
    const multiFolder = new Set(this.items.map((c) => c.folder)).size > 1;
    const all = rows.length > 0 && this.selected.size === rows.length;
    const some = this.selected.size > 0 && !all;
    return html`
      <div class="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col" class="check">
                <input type="checkbox" aria-label="Select all conflicts" .checked=${all} .indeterminate=${some} @change=${this.toggleAll} />
              </th>
              ${COLUMNS.map((c) => this.renderHeader(c))}
            </tr>
          </thead>
          <tbody>
            ${rows.map((c) => {
              const key = conflictKey(c);
              const isSelected = this.selected.has(key);
              return html`<tr class=${isSelected ? 'selected' : ''} data-copy=${c.copy} data-folder=${c.folder}>
                <td class="check">
                  <input type="checkbox" aria-label=${`Select ${c.path} (copy ${c.copy})`} .checked=${isSelected} @click=${(e: MouseEvent) => this.toggle(key, e)} />
                </td>
                <td class="path">
                  <span class="name">${multiFolder ? html`<span class="folder-chip">${c.folder}</span>` : nothing}${c.path}</span>
                  <span class="copy mono" title=${c.copy}>${c.copy}</span>
                </td>
                <td class="size">${formatBytes(c.size)}</td>
                <td class="time">${formatDateTime(c.mtimeMs)}</td>
                <td class="peer mono" title="The replica that made the conflict copy’s version">${c.peer || '—'}</td>
              </tr>`;
            })}
          </tbody>
        </table>
      </div>
    `;
  }

  override render() {
    const n = this.items.length;
    return html`
      <section class="panel" aria-labelledby="conflicts-title">
        <div class="panel-head">
          <h2 id="conflicts-title">Conflicts${n > 0 ? html` <span class="count">${n}</span>` : nothing}</h2>
          ${n > 0 ? html`<span class="muted small">Shift-click to select a range</span>` : nothing}
        </div>
        ${!this.available
          ? html`<p class="empty">The conflicts list is not available in this daemon version.</p>`
          : n === 0
            ? html`<p class="empty">No conflicts. When two devices change the same file, the other version is kept as a copy and listed here.</p>`
            : html`
                <div class="actions" role="toolbar" aria-label="Resolve the selected conflicts">
                  <span class="selection small" aria-live="polite">${this.selected.size === 0 ? 'Select conflicts to resolve' : `${this.selected.size} selected`}</span>
                  ${ACTIONS.map(
                    (a) => html`<button class=${a.action === 'keep-mine' ? 'primary' : ''} title=${a.help} ?disabled=${this.busy || this.selected.size === 0} @click=${() => this.resolve(a.action)}>
                      ${a.label}
                    </button>`,
                  )}
                </div>
                <p class="legend small muted">${ACTIONS.map((a) => html`<span><strong>${a.label}</strong>: ${a.help}</span>`)}</p>
                ${this.renderTable()}
                ${this.truncated ? html`<p class="small muted">Only the first ${n.toLocaleString()} conflicts are listed.</p>` : nothing}
              `}
        ${this.message ? html`<p class="message ${this.message.tone}" role=${this.message.tone === 'error' ? 'alert' : 'status'}>${this.message.text}</p>` : nothing}
      </section>
    `;
  }

  static override styles = [
    panelStyles,
    css`
      .count {
        display: inline-block;
        min-width: 1.6em;
        padding: 0 6px;
        margin-left: 4px;
        border-radius: 999px;
        background: var(--warn-soft);
        color: var(--warn);
        font-size: 0.8rem;
        text-align: center;
      }
      .actions {
        display: flex;
        flex-wrap: wrap;
        align-items: center;
        gap: 8px;
      }
      .selection {
        margin-right: auto;
        color: var(--muted);
      }
      .legend {
        display: flex;
        flex-wrap: wrap;
        gap: 2px 16px;
        margin: 10px 0 12px;
      }
      .table-wrap {
        overflow-x: auto;
        border: 1px solid var(--border);
        border-radius: 8px;
      }
      table {
        width: 100%;
        border-collapse: collapse;
        font-size: 0.9rem;
      }
      th,
      td {
        text-align: left;
        padding: 8px 10px;
        border-bottom: 1px solid var(--border);
        vertical-align: top;
      }
      tbody tr:last-child td {
        border-bottom: none;
      }
      th {
        font-weight: 600;
        background: var(--hover);
        padding: 4px 6px;
      }
      th.check,
      td.check {
        width: 36px;
        padding-left: 12px;
      }
      th.check {
        vertical-align: middle;
      }
      td.check input {
        margin-top: 3px;
      }
      button.sort {
        border: none;
        background: none;
        font-weight: 600;
        padding: 4px 6px;
        font-size: 0.85rem;
        color: var(--fg);
      }
      .arrow {
        display: inline-block;
        width: 1em;
        font-size: 0.7rem;
        margin-left: 4px;
        color: var(--accent);
      }
      tr.selected td {
        background: var(--busy-soft);
      }
      td.path {
        min-width: 220px;
      }
      .name {
        display: block;
        font-weight: 500;
        word-break: break-all;
      }
      .copy {
        display: block;
        color: var(--muted);
        word-break: break-all;
      }
      .folder-chip {
        font-size: 0.75rem;
        padding: 0 6px;
        margin-right: 6px;
        border-radius: 999px;
        border: 1px solid var(--border);
        color: var(--muted);
      }
      td.size,
      td.time {
        white-space: nowrap;
        font-variant-numeric: tabular-nums;
      }
      td.peer {
        color: var(--muted);
      }
    `,
  ];
}

customElements.define('sl-conflicts', ConflictsPanel);

declare global {
  interface HTMLElementTagNameMap {
    'sl-conflicts': ConflictsPanel;
  }
}
