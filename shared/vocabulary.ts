/**
 * Fixed lists of names that carry no schema, apart from the modules that build schemas from
 * them: the command line's table (`repdesk --help`) names them without loading Zod.
 */

export const REPLY_TEMPLATES = ['delisting-granted', 'delisting-denied', 'needs-information', 'dul-submission-received'] as const;

export const THREAD_OUTCOMES = ['delisted', 'denied', 'answered', 'no-response', 'submission-accepted', 'withdrawn'] as const;

/** The listings table's filter keys, in the order the route writes them. */
export const FILTER_KEYS = ['list', 'status', 'reason', 'investigator', 'isp', 'ip', 'cidr', 'createdFrom', 'createdTo', 'changedFrom', 'changedTo', 'q'] as const;

/** `created` is id order (ids are given in creation order); `expires` lists only listings that expire. */
export const SORT_COLUMNS = ['changed', 'created', 'range', 'expires', 'id'] as const;
