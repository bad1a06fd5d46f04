import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatCodeTablesStatus, formatConfigStatus, formatSetStatus, inert } from '../../client/src/configStatusText';
import { CREATE_CONFIGURATION, OPEN_CONFIGURATION } from '../../client/src/commands/configCommandIds';

/** As vscode.workspace.asRelativePath shows paths inside a workspace at /w. */
const short = (path: string): string => (path.startsWith('/w/') ? path.slice(3) : path);

const IN_USE = { path: '/w/alma-sis.config.json', profile: 'STUDENTS', profileName: 'Students from Banner', codeTables: '/w/tables/institution.json' };

test('a configuration in use: the profile and its file, with Open Configuration; its name and the full path in the tooltip', () => {
  assert.deepEqual(formatConfigStatus(IN_USE, short), {
    text: 'Profile STUDENTS',
    detail: 'alma-sis.config.json',
    level: 'information',
    action: {
      title: 'Open Configuration', command: OPEN_CONFIGURATION, arguments: [{ path: '/w/alma-sis.config.json' }],
      tooltip: 'Profile STUDENTS (Students from Banner) from /w/alma-sis.config.json',
    },
    accessibility: 'Profile STUDENTS (Students from Banner) from /w/alma-sis.config.json',
  });
  assert.equal(formatConfigStatus({ path: '/elsewhere/alma-sis.config.json', profile: 'STAFF' }, short).detail, '/elsewhere/alma-sis.config.json');
});

test('the code tables are their own line, with Open Code Tables; a profile without them says what is checked instead', () => {
  assert.deepEqual(formatCodeTablesStatus(IN_USE, short), {
    text: 'Code tables',
    detail: 'tables/institution.json',
    level: 'information',
    action: { title: 'Open Code Tables', command: OPEN_CONFIGURATION, arguments: [{ path: '/w/tables/institution.json' }], tooltip: 'Code tables of profile STUDENTS: /w/tables/institution.json' },
    accessibility: 'Code tables of profile STUDENTS: /w/tables/institution.json',
  });
  const none = formatCodeTablesStatus({ path: '/w/alma-sis.config.json', profile: 'STAFF' }, short);
  assert.deepEqual([none?.text, none?.detail, none?.action?.arguments], ['No code tables', 'Alma\'s fixed lists only', [{ path: '/w/alma-sis.config.json' }]]);
  // Without a profile in use the configuration's line says why; no second line.
  for (const config of [undefined, {}, { path: '/w/alma-sis.config.json' }, { path: '/w/alma-sis.config.json', problem: 'x' }]) {
    assert.equal(formatCodeTablesStatus(config, short), undefined, JSON.stringify(config));
  }
});

test('the set the file belongs to is its own line when the server sends it', () => {
  assert.deepEqual(formatSetStatus({ name: 'the STUDENTS feed', position: 2, files: 3 }), {
    text: 'File 2 of 3', detail: 'in the STUDENTS feed', level: 'information', accessibility: 'File 2 of 3 in the STUDENTS feed, in load order',
  });
});

test('no configuration is a warning that offers Create Configuration', () => {
  for (const config of [undefined, {}]) {
    assert.deepEqual(formatConfigStatus(config, short), {
      text: 'No alma-sis.config.json',
      detail: 'defaults, no code tables',
      level: 'warning',
      action: { title: 'Create Configuration', command: CREATE_CONFIGURATION, tooltip: 'Create alma-sis.config.json for an Alma SIS integration profile' },
      accessibility: 'No alma-sis.config.json: defaults, no code tables',
    });
  }
});

test('a broken configuration is a warning: its file and place, the problem in the tooltip, and Open Configuration at the place', () => {
  const status = formatConfigStatus({
    path: '/w/alma-sis.config.json',
    problem: '/w/alma-sis.config.json:3:23: profiles[0].xsdVersion must be 1 or 2, not 7',
    problemAt: { line: 2, character: 22 },
  }, short);
  assert.deepEqual(status, {
    text: 'Configuration problem',
    detail: 'alma-sis.config.json:3:23',
    level: 'warning',
    action: {
      title: 'Open Configuration', command: OPEN_CONFIGURATION, arguments: [{ path: '/w/alma-sis.config.json', line: 2, character: 22 }],
      tooltip: 'alma-sis.config.json:3:23: profiles[0].xsdVersion must be 1 or 2, not 7; defaults, no code tables',
    },
    accessibility: 'Configuration problem: alma-sis.config.json:3:23: profiles[0].xsdVersion must be 1 or 2, not 7; defaults, no code tables',
  });
  // Several problems: their count, in one line (the file's diagnostics list them).
  const several = formatConfigStatus({
    path: '/w/alma-sis.config.json',
    problem: '2 problems in /w/alma-sis.config.json:\n  /w/alma-sis.config.json:2:3: a\n  /w/alma-sis.config.json:5:3: b',
    problemAt: { line: 1, character: 2 },
  }, short);
  assert.equal(several.action?.tooltip, '2 problems in alma-sis.config.json; defaults, no code tables');
  // A file that cannot be read has no place to go to.
  const unreadable = formatConfigStatus({ path: '/w/sis.json', problem: '/w/sis.json: cannot read the file: not found' }, short);
  assert.equal(unreadable.detail, 'sis.json');
  assert.deepEqual(unreadable.action?.arguments, [{ path: '/w/sis.json' }]);
});

test('a configuration without profiles says so', () => {
  const status = formatConfigStatus({ path: '/w/alma-sis.config.json' }, short);
  assert.deepEqual([status.text, status.detail, status.level], ['No profile', 'alma-sis.config.json', 'information']);
  assert.equal(status.action?.tooltip, '/w/alma-sis.config.json has no profiles: its rules apply, no code tables');
});

test('every line stays within what the status hover shows with its action (500 pixels, about 72 characters, with ordinary names)', () => {
  const lines = [
    formatConfigStatus(undefined, short),
    formatConfigStatus(IN_USE, short),
    formatCodeTablesStatus(IN_USE, short)!,
    formatConfigStatus({ path: '/w/alma-sis.config.json', problem: 'p', problemAt: { line: 120, character: 40 } }, short),
    formatSetStatus({ name: 'the STUDENTS feed', position: 12, files: 30 }),
  ];
  for (const line of lines) {
    const shown = `${line.text} – ${line.detail} ${line.action?.title ?? ''}`;
    assert.ok(shown.length <= 72, `${shown.length}: ${shown}`);
  }
});

test('names from files cannot become links or icons in the hover', () => {
  const config = { path: '/w/[x](command:workbench.action.quit)/alma-sis.config.json', profile: '$(zap)P', codeTables: '/w/$(x)/t.json' };
  const lines = [formatConfigStatus(config, short), formatCodeTablesStatus(config, short)!, formatSetStatus({ name: '[f](command:x) feed', position: 1, files: 2 })];
  for (const line of lines) {
    for (const shown of [line.text, line.detail]) assert.doesNotMatch(shown, /\]\(|\$\(/, shown);
  }
  // Invisible: what is read is still the name.
  assert.equal(inert('[a](b) $(c)').replace(/\u200b/g, ''), '[a](b) $(c)');
});
