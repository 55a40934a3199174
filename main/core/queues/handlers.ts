/**
 * The contract's operations on the two review queues (GAL nominations and delisting requests)
 * and their summary, as one piece of the core's handler map (app.ts puts the pieces together).
 */
import { join } from 'node:path';
import type { OperationName } from '../../../shared/contract.js';
import type { HandlerContext, HandlerMap } from '../call-context.js';
import type { InputFile } from '../io/files.js';
import { readSettings } from '../settings/settings.js';
import { decideNomination, getNomination, listNominations, openNomination } from './nominations.js';
import { addNomination, importNominationBundle, nominationTemplates } from './nomination-intake.js';
import { decideDelistingRequest, draftDelistingDecision, getDelistingRequest, listDelistingRequests } from './delisting.js';
import { addDelistingRequest, importDelistingRequests } from './delisting-intake.js';
import { draftNominationReply } from './replies.js';
import { queuesSummary } from './summary.js';

export type QueueOperation = Extract<OperationName, `nominations.${string}` | `delisting.${string}` | 'queues.summary'>;

export function queueHandlers({ read, write, index, now, fileOf }: HandlerContext): Pick<HandlerMap, QueueOperation> {
  return {
    'nominations.add': (input, call) => addNomination(write, call.actor, input, readSettings(read), now()),
    'nominations.import': (input, call) => {
      const bundle = fileOf(input.bundle, call, 'the bundle');
      // A name the bundle gives is a file sent with it, else one in the bundle's own folder (a plain name: checked by the import).
      const named = (name: string): InputFile | null => {
        const sent = input.files?.[name];
        if (sent) return fileOf(sent, call, name);
        return bundle.folder === null ? null : { path: join(bundle.folder, name), name, folder: bundle.folder };
      };
      return importNominationBundle(write, call.actor, bundle, named, readSettings(read), now());
    },
    'nominations.templates': () => nominationTemplates(),
    'nominations.list': (input, call) => listNominations(read, input, call.actor, now()),
    'nominations.get': (input) => getNomination(read, input.id, readSettings(read), now()),
    'nominations.open': (input, call) => openNomination(write, index, call.actor, input.id, readSettings(read), now),
    'nominations.draft': (input) => draftNominationReply(read, index, input, readSettings(read), now()),
    'nominations.decide': (input, call) => decideNomination(write, index, call.actor, input, readSettings(read), now()),
    'delisting.add': (input, call) => addDelistingRequest(write, index, call.actor, input, readSettings(read), now()),
    'delisting.import': (input, call) => importDelistingRequests(write, index, call.actor, fileOf(input.file, call), readSettings(read), now(), call.onProgress),
    'delisting.list': (input, call) => listDelistingRequests(read, input, call.actor, now()),
    'delisting.get': (input) => getDelistingRequest(read, input.id, readSettings(read), now()),
    'delisting.draft': (input) => draftDelistingDecision(read, input, readSettings(read), now()),
    'delisting.decide': (input, call) => decideDelistingRequest(write, call.actor, input, readSettings(read), now()),
    'queues.summary': (_input, call) => queuesSummary(read, call.actor, now()),
  };
}
