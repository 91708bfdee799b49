import assert from 'node:assert/strict';
import { Signer, volt } from 'voltjs';

const app = volt();

// One signer per purpose: a value signed for password resets is refused as anything else.
const resets = new Signer(app.settings.secretKey, { salt: 'password-reset' });
const token = resets.signTimestamped('user:42');

assert.equal(resets.unsignTimestamped(token, 3600), 'user:42'); // within the hour
assert.equal(resets.unsignTimestamped(token.replace('user:42', 'user:1'), 3600), undefined); // altered
assert.equal(new Signer(app.settings.secretKey, { salt: 'session' }).unsign(token), undefined); // other purpose

const signed = resets.sign('plain');
assert.equal(resets.unsign(signed), 'plain');
