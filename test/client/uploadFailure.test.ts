import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { UploadFailure } from '../../server/src/engine/index';
import {
  configurationFocus, failureNotice, headline, HEADLINE_LIMIT, nextSteps, savedSecretSuspect, SHOW_DETAILS, type NextStep,
} from '../../client/src/uploadFailure';

/*
 * What a failed upload offers next (client/src/uploadFailure.ts), for every reason the engine
 * gives (server/src/engine/upload/sftpUpload.ts), and how a long message is shown without being
 * cut. One such failure in an editor: test/e2e/uploadSafety.test.ts.
 */

const CONFIG = '/work/alma-sis.config.json';

test('every reason the engine gives has its next step', () => {
  // A Record over UploadFailure: a reason added to the engine fails to compile here until it is decided.
  const expected: Record<UploadFailure | 'request', NextStep[]> = {
    configuration: ['Open Configuration'],
    request: ['Open Configuration'],
    'remote-folder': ['Open Configuration'],
    'host-key-mismatch': ['Open Configuration'],
    'host-key-unknown': ['Open Configuration'],
    connection: ['Retry'],
    'size-mismatch': ['Retry'],
    authentication: ['Retry'],
    'local-file': [],
    exists: [],
    interference: [],
    remote: [],
    cancelled: [],
  };
  for (const [reason, steps] of Object.entries(expected)) {
    assert.deepEqual(nextSteps({ reason, message: 'x', configPath: CONFIG }), steps, reason);
  }
});

test('without a configuration file known, nothing offers to open one', () => {
  for (const reason of ['configuration', 'request', 'remote-folder', 'host-key-mismatch']) assert.deepEqual(nextSteps({ reason, message: 'x' }), [], reason);
  assert.deepEqual(nextSteps({ reason: 'connection', message: 'x' }), ['Retry']);
});

test('a refused login after the re-ask offers to forget the saved secret that was tried', () => {
  const refused = '127.0.0.1:2222 refused the login (tried: password)';
  assert.deepEqual(nextSteps({ reason: 'authentication', message: refused, configPath: CONFIG, saved: 'password' }), ['Forget Saved Password']);
  assert.deepEqual(nextSteps({ reason: 'authentication', message: 'cannot use the private key k: bad passphrase', configPath: CONFIG, saved: 'passphrase' }), ['Forget Saved Passphrase']);
  // Nothing saved: trying again asks again.
  assert.deepEqual(nextSteps({ reason: 'authentication', message: refused, configPath: CONFIG }), ['Retry']);
  // No way to log in, or a key file that cannot be used: the configuration names the key.
  assert.deepEqual(nextSteps({ reason: 'authentication', message: 'no way to log in: set sftp.privateKeyPath, give a password, or run an ssh agent', configPath: CONFIG }), ['Open Configuration']);
  assert.deepEqual(nextSteps({ reason: 'local-file', message: 'cannot read the private key /k: ENOENT', configPath: CONFIG }), ['Open Configuration']);
  assert.deepEqual(nextSteps({ reason: 'local-file', message: '/w/nightly.zip changed while it was being uploaded', configPath: CONFIG }), []);
});

test('a saved password is to blame for any refusal; a saved passphrase only when the key would not open', () => {
  assert.equal(savedSecretSuspect('password', 'h refused the login (tried: password)'), true);
  assert.equal(savedSecretSuspect('passphrase', 'cannot use the private key k: Encrypted private OpenSSH key detected, but no passphrase given'), true);
  assert.equal(savedSecretSuspect('passphrase', 'cannot use the private key k: bad decrypt'), true);
  assert.equal(savedSecretSuspect('passphrase', 'h refused the login (tried: key)'), false);
});

test('a short message is shown whole, with its steps only', () => {
  const notice = failureNotice({ reason: 'connection', message: 'cannot connect to 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1 (gave up after 4 attempts)' });
  assert.equal(notice.message, 'Alma SIS: upload failed: cannot connect to 127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1 (gave up after 4 attempts)');
  assert.equal(notice.detail, undefined);
  assert.deepEqual(notice.buttons, ['Retry']);
});

test('a long message shows its first sentence and keeps the whole of it behind Show Details', () => {
  const pinned = `SHA256:${'A'.repeat(43)}`;
  const message = `the host key of 127.0.0.1:2222 does not match sftp.hostKeyFingerprint: the server showed SHA256:${'B'.repeat(43)}, ` +
    `the configuration pins ${pinned}; not connecting (if the server's key really changed, update the configuration)`;
  assert.ok(message.length > HEADLINE_LIMIT);
  const notice = failureNotice({ reason: 'host-key-mismatch', message, configPath: CONFIG });
  assert.equal(notice.message, 'Alma SIS: upload failed: the host key of 127.0.0.1:2222 does not match sftp.hostKeyFingerprint');
  assert.equal(notice.detail, message);
  assert.deepEqual(notice.buttons, ['Open Configuration', SHOW_DETAILS]);
  assert.deepEqual(notice.steps, ['Open Configuration']);
});

test('the first sentence ends at ". " or "; " before it ends at ": "; with neither, at a word', () => {
  const long = (head: string, sep: string) => `${head}${sep}${'more words here '.repeat(15)}`;
  assert.deepEqual(headline(long('cannot connect to h:22: refused (gave up after 4 attempts)', '; ')), { headline: 'cannot connect to h:22: refused (gave up after 4 attempts)', cut: true });
  assert.deepEqual(headline(long('sftp.directory "a" is wrong', '. ')), { headline: 'sftp.directory "a" is wrong', cut: true });
  const words = 'word '.repeat(60).trim();
  const cut = headline(words);
  assert.equal(cut.cut, true);
  assert.ok(cut.headline.endsWith('word…') && cut.headline.length <= HEADLINE_LIMIT + 1, cut.headline);
  // A dot inside a name (sftp.hostKeyFingerprint, a file name) is not the end of a sentence.
  assert.deepEqual(headline('a.b.c'), { headline: 'a.b.c', cut: false });
});

test('Open Configuration puts the cursor on the pinned fingerprint, else on the profile', () => {
  const text = '{\n  "profiles": [\n    { "code": "STAFF", "sftp": { "hostKeyFingerprint": "SHA256:x" } },\n    { "code" : "STUDENTS", "sftp": {} }\n  ]\n}\n';
  assert.deepEqual(configurationFocus(text, { profile: 'STAFF', fingerprint: 'SHA256:x' }), { offset: text.indexOf('SHA256:x'), length: 8 });
  assert.deepEqual(configurationFocus(text, { profile: 'STUDENTS', fingerprint: 'SHA256:gone' }), { offset: text.indexOf('"code" : "STUDENTS"'), length: '"code" : "STUDENTS"'.length });
  assert.equal(configurationFocus(text, { profile: 'NONE' }), undefined);
  assert.equal(configurationFocus(text, {}), undefined);
  // A code with characters a pattern would read is matched as it is.
  assert.equal(configurationFocus('{"code": "A.B"}', { profile: 'A+B' }), undefined);
});
