import { SynclineError } from '@syncline/core';

/** A user definition may not take a built-in's name: the built-in would silently change meaning. */
export class BuiltinBehaviourNameError extends SynclineError {
  constructor(readonly behaviour: string) {
    super('SYNCLINE_BEHAVIOUR_BUILTIN', `${behaviour} is a built-in behaviour and cannot be redefined; choose another name`);
  }
}

/** `detach` found nothing attached at the place it was told. */
export class NotAttachedError extends SynclineError {
  constructor(where: string) {
    super('SYNCLINE_BEHAVIOUR_NOT_ATTACHED', `nothing is attached to ${where}; \`syncline behaviour list\` shows the attachments`);
  }
}

/** A definition cannot be removed while attachments still name it. */
export class BehaviourInUseError extends SynclineError {
  constructor(readonly behaviour: string, count: number) {
    super(
      'SYNCLINE_BEHAVIOUR_IN_USE',
      `${behaviour} is still attached in ${count} place${count === 1 ? '' : 's'}; detach it first (syncline behaviour detach ${behaviour} …)`,
    );
  }
}

/** A behaviour setting read back from the replica's store fails its schema check. */
export class StoredSettingError extends SynclineError {
  constructor(readonly key: string, reason: string, options?: { cause?: unknown }) {
    super(
      'SYNCLINE_SETTING_CORRUPT',
      `the replica's stored "${key}" setting is unreadable (${reason}); the files and their index are unaffected. ` +
        'Restore .syncline from a backup.',
      options,
    );
  }
}
