import { SynclineError } from '@syncline/core';

export class ConfigError extends SynclineError {
  constructor(file: string, reason: string) {
    super('SYNCLINE_CONFIG', `${file}: ${reason}`);
  }
}

export class DaemonNotRunningError extends SynclineError {
  constructor(home: string) {
    super('SYNCLINE_NO_DAEMON', `no daemon is running for home ${home}; start one with \`syncline daemon --home ${home}\``);
  }
}

export class ApiError extends SynclineError {
  constructor(code: string, message: string) {
    super(code, message);
  }
}
