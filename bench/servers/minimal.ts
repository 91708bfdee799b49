/**
 * The smallest Volt app: `volt()` and one route, no models. Cold-start measurements spawn it
 * and time the first successful response.
 *
 * Usage: `PORT=3010 node --conditions=volt-source bench/servers/minimal.ts`
 */
import { volt } from 'voltjs';

const app = volt({ logger: false });
app.get('/', {}, () => ({ ok: true }));
await app.listen({ host: '127.0.0.1', port: Number(process.env.PORT ?? 3010), signals: false });
