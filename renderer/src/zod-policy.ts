/**
 * Zod probes `new Function` to compile faster parsers. The page's Content-Security-Policy has no
 * 'unsafe-eval', so the probe is reported as a policy violation even though Zod catches the
 * error. Turn the compiler off before shared/contract.ts builds its schemas.
 */
import { z } from 'zod';

z.config({ jitless: true });
