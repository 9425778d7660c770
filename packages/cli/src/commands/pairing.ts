import type { Command } from 'commander';
import { EXIT_USER_ERROR } from '../exit-codes.js';
import { ExitWith, UserError } from '../user-error.js';

const daemonLib = () => import('@syncline/daemon');

interface HomeOpts {
  home?: string;
  json?: boolean;
}

const homeOption = (cmd: Command) => cmd.option('--home <dir>', 'the node home (default: $SYNCLINE_HOME or ~/.config/syncline)').option('--json', 'machine-readable output');

function out(json: boolean | undefined, value: unknown, text: string): void {
  process.stdout.write(json ? JSON.stringify(value) + '\n' : text + '\n');
}

/** Pairing: `pair` shows a code and waits; `pair CODE` types it on the other device; `invite`/`join` across networks. */
export function pairingCommands(program: Command): void {
  homeOption(
    program
      .command('pair')
      .description('pair with another device: without CODE, show a code to type there (valid 5 minutes); with CODE, type the code the other device shows')
      .argument('[code]', 'the code shown on the other device, e.g. 4-orbit-lemon-violet')
      .option('--addr <multiaddr>', 'where the other device listens, when mDNS cannot see it (e.g. /ip4/192.168.1.20/tcp/4001)'),
  ).action(async (code: string | undefined, opts: HomeOpts & { addr?: string }) => {
    const { ApiClient, resolveHome } = await daemonLib();
    const client = await ApiClient.connect(resolveHome(opts.home));
    try {
      if (code) {
        const peer = await client.call<{ deviceId: string; name: string }>('pair.join', { code, ...(opts.addr ? { addr: opts.addr } : {}) });
        out(opts.json, { paired: true, ...peer }, `paired with ${peer.name || 'a device'} (${peer.deviceId}); share a folder with \`syncline folder share ID ${peer.deviceId}\``);
        return;
      }
      const result = await new Promise<{ state: string; deviceId?: string; name?: string; reason?: string }>((resolve, reject) => {
        client.onEvent((event, data) => {
          if (event !== 'pairing') return;
          const d = data as { state: string; attemptsLeft?: number };
          if (d.state === 'attempt-failed' && !opts.json) process.stderr.write(`a wrong code was typed (${d.attemptsLeft} attempts left)\n`);
          if (d.state === 'paired' || d.state === 'expired' || d.state === 'closed') resolve(d);
        });
        const cancel = () => {
          void client.call('pair.cancel').finally(() => resolve({ state: 'cancelled' }));
        };
        process.once('SIGINT', cancel);
        process.once('SIGTERM', cancel);
        client.call<{ code: string; expiresAt: number }>('pair.start').then((r) => {
          const minutes = Math.round((r.expiresAt - Date.now()) / 60_000);
          out(opts.json, { code: r.code, expiresAt: r.expiresAt }, `On the other device, run:\n\n    syncline pair ${r.code}\n\nThe code is valid for ${minutes} minute${minutes === 1 ? '' : 's'}. Waiting… (Ctrl-C cancels)`);
        }, reject);
      });
      if (result.state === 'paired') out(opts.json, { paired: true, deviceId: result.deviceId, name: result.name }, `paired with ${result.name || 'a device'} (${result.deviceId})`);
      else {
        out(opts.json, { paired: false, state: result.state, reason: result.reason }, `not paired: ${result.state === 'expired' ? 'the code expired' : result.state === 'closed' ? (result.reason ?? 'closed') : 'cancelled'}`);
        throw new ExitWith(EXIT_USER_ERROR);
      }
    } finally {
      client.close();
    }
  });

  homeOption(
    program
      .command('invite')
      .description('print a one-time invite (device ID, addresses, secret) for a device on another network; also as a QR code')
      .option('--ttl <hours>', 'how long the invite stays valid', '24'),
  ).action(async (opts: HomeOpts & { ttl: string }) => {
    const hours = Number(opts.ttl);
    if (!(hours > 0 && hours <= 24 * 30)) throw new UserError('--ttl takes a number of hours (up to 720)');
    const { ApiClient, resolveHome } = await daemonLib();
    const client = await ApiClient.connect(resolveHome(opts.home));
    try {
      const { token, expiresAt } = await client.call<{ token: string; expiresAt: number }>('invite.create', { ttlMs: hours * 3600_000 });
      if (opts.json) {
        out(true, { token, expiresAt }, '');
        return;
      }
      const qrcode = await import('qrcode');
      const qr = await qrcode.toString(token, { type: 'terminal', small: true, errorCorrectionLevel: 'L' });
      process.stdout.write(`${qr}\nOn the other device, run:\n\n    syncline join ${token}\n\nValid until ${new Date(expiresAt).toLocaleString()}, once.\n`);
    } finally {
      client.close();
    }
  });

  homeOption(program.command('join').description('pair using an invite from `syncline invite`').argument('<token>', 'the invite token (syncline:…)')).action(async (token: string, opts: HomeOpts) => {
    const { ApiClient, resolveHome } = await daemonLib();
    const client = await ApiClient.connect(resolveHome(opts.home));
    try {
      const peer = await client.call<{ deviceId: string; name: string }>('invite.join', { token });
      out(opts.json, { paired: true, ...peer }, `paired with ${peer.name || 'a device'} (${peer.deviceId})`);
    } finally {
      client.close();
    }
  });
}
