/**
 * Zod as every shared schema uses it, configured before any schema is built. Zod compiles faster
 * object parsers with `new Function`, and it probes for that when an object schema is made; the
 * renderer's Content-Security-Policy has no 'unsafe-eval', so the probe is reported as a policy
 * violation (even though Zod catches it). Importing `z` from here, not from 'zod', sets the
 * compiler off first in whatever order a bundler's chunks run. The inputs parsed are small, so
 * Node loses nothing that shows.
 */
import { z } from 'zod';

z.config({ jitless: true });

export { z };
