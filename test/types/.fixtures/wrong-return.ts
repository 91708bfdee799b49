import { VoltApp } from '../../../src/http/app.ts';
import { t } from '../../../src/openapi/t.ts';

const app = new VoltApp({ logger: false, envFile: false });

app.get('/message', { response: { 200: t.Object({ message: t.String() }) } }, () => ({ wrong: 1 })); // error: TS2322
