/**
 * The contract's operations on spam samples and correspondence threads, as one piece of the
 * core's handler map (app.ts puts the pieces together).
 */
import type { OperationName } from '../../../shared/contract.js';
import type { HandlerContext, HandlerMap } from '../call-context.js';
import { readSettings } from '../settings/settings.js';
import { createListingFromSample, getSample, importSamples, linkSample, listSamples, rawSample, sampleStats } from './samples.js';
import { addNote, createThread, draftReply, exportMessage, getThread, importThreadMessages, listThreads, resolveThread, saveReply, sendReply } from './threads.js';

export type EvidenceOperation = Extract<OperationName, `samples.${string}` | `threads.${string}`>;

export function evidenceHandlers({ read, write, index, now, fileOf }: HandlerContext): Pick<HandlerMap, EvidenceOperation> {
  return {
    'samples.import': async (input, call) =>
      importSamples(
        write,
        index,
        call.actor,
        { sources: input.files.map((ref) => fileOf(ref, call)), listingId: input.listingId, importValid: input.importValid },
        readSettings(read),
        now(),
        call.onProgress,
      ),
    'samples.list': (input) => listSamples(read, input.listingId, input.afterId, input.limit),
    'samples.get': (input) => getSample(read, index, input.id),
    'samples.raw': (input) => rawSample(read, input.id),
    'samples.link': (input, call) => linkSample(write, call.actor, input.sampleId, input.listingId, now()),
    'samples.createListing': (input, call) => createListingFromSample(write, call.actor, input, readSettings(read), now()),
    'samples.stats': (input) => sampleStats(read, input.listingId),
    'threads.list': (input) => listThreads(read, input),
    'threads.get': (input) => getThread(read, input.id, readSettings(read)),
    'threads.create': (input, call) => createThread(write, call.actor, input, now()),
    'threads.import': (input, call) =>
      importThreadMessages(
        write,
        call.actor,
        { threadId: input.threadId, direction: input.direction, sources: input.files.map((ref) => fileOf(ref, call)), importValid: input.importValid },
        readSettings(read),
        now(),
      ),
    'threads.note': (input, call) => addNote(write, call.actor, input.threadId, input.text, readSettings(read), now()),
    'threads.draft': (input) => draftReply(read, input.threadId, input.template, readSettings(read), now()),
    'threads.reply': (input, call) => saveReply(write, call.actor, input, readSettings(read), now()),
    'threads.export': (input) => exportMessage(read, input.id),
    'threads.send': (input, call) => sendReply(write, call.actor, input.id, readSettings(read), now()),
    'threads.resolve': (input, call) => resolveThread(write, call.actor, input, now()),
  };
}
