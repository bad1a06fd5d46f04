// Runs a tool with its output sent to files, timing the wall clock and its peak RSS: shared by the
// benchmarks (validate-bench.mjs, dry-run-bench.mjs) so their figures are measured the same way.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, rmSync } from 'node:fs';

/** How peak RSS is measured: GNU time's %M when present, else a python3 getrusage wrapper, else not at all. */
export function pickRssMeter() {
  const gnuTime = spawnSync('/usr/bin/time', ['--version'], { encoding: 'utf8' });
  if (!gnuTime.error && /GNU/.test(`${gnuTime.stdout}${gnuTime.stderr}`)) {
    return {
      name: 'GNU time %M (max RSS of the process)',
      // CPU seconds (user + system) too: on a shared machine they vary less than the wall clock.
      wrap: (command, args, rssFile) => ['/usr/bin/time', ['-f', 'cpu %U %S\n%M', '-o', rssFile, command, ...args]],
    };
  }
  const python = spawnSync('python3', ['--version'], { encoding: 'utf8' });
  if (!python.error && python.status === 0) {
    // Times the child itself, so python's own start-up (slow behind a pyenv shim) is not counted.
    const script = 'import resource,subprocess,sys,time\n' +
      'start = time.perf_counter()\n' +
      'code = subprocess.call(sys.argv[2:])\n' +
      'wall = time.perf_counter() - start\n' +
      'rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n' +
      'open(sys.argv[1], "w").write(f"{wall} {rss}")\n' +
      'sys.exit(code if code >= 0 else 128 - code)\n';
    return {
      name: 'python3 resource.getrusage(RUSAGE_CHILDREN).ru_maxrss',
      wrap: (command, args, rssFile) => ['python3', ['-c', script, rssFile, command, ...args]],
    };
  }
  return { name: 'none (neither GNU time nor python3 found)', wrap: (command, args) => [command, args] };
}

/**
 * Runs one command with stdout and stderr sent to files, timing the wall clock around it.
 * Resolves (never rejects) with {code, seconds, rssKB, cpuSeconds, failure}; cpuSeconds is null
 * without GNU time.
 */
export function measure(meter, command, args, { stdoutPath, stderrPath, timeoutSeconds }) {
  const rssFile = `${stderrPath}.rss`;
  rmSync(rssFile, { force: true });
  const [program, programArgs] = meter.wrap(command, args, rssFile);
  const out = openSync(stdoutPath, 'w');
  const err = openSync(stderrPath, 'w');
  return new Promise((resolveRun) => {
    const started = process.hrtime.bigint();
    let timedOut = false;
    // Own process group, so a timeout kills the measured tool and not only its time/python wrapper.
    const child = spawn(program, programArgs, { stdio: ['ignore', out, err], detached: true });
    const timer = setTimeout(() => {
      timedOut = true;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    }, timeoutSeconds * 1000);
    let finished = false;
    const finish = (code, failure) => {
      // 'error' and 'exit' can both fire for one child.
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      closeSync(out);
      closeSync(err);
      let seconds = Number(process.hrtime.bigint() - started) / 1e9;
      let rssKB = null;
      let cpuSeconds = null;
      if (existsSync(rssFile)) {
        // GNU time writes "Command exited with non-zero status N" or "Command terminated by signal N"
        // before the figure; the wrapper's own exit code hides a signal as 128+N.
        const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
        const cpu = lines.map((l) => /^cpu ([\d.]+) ([\d.]+)$/.exec(l)).find(Boolean);
        if (cpu) cpuSeconds = Number(cpu[1]) + Number(cpu[2]);
        const figures = /^(?:([\d.]+) )?(\d+)$/.exec(lines.at(-1));
        if (figures) {
          rssKB = Number(figures[2]);
          if (figures[1]) seconds = Number(figures[1]);
        }
        const signalled = /terminated by signal (\d+)/.exec(lines[0]);
        if (signalled && !failure) failure = `killed by signal ${signalled[1]}`;
        rmSync(rssFile, { force: true });
      }
      resolveRun({ code, seconds, rssKB, cpuSeconds, failure: timedOut ? `timed out after ${timeoutSeconds} s` : failure });
    };
    child.on('error', (error) => finish(null, `cannot start ${program}: ${error.message}`));
    child.on('exit', (code, signal) => finish(code, signal ? `killed by ${signal}` : undefined));
  });
}

function firstLines(path, count = 3) {
  try {
    return readFileSync(path, 'utf8').split('\n').filter((l) => l.trim()).slice(0, count).join(' / ');
  } catch {
    return '';
  }
}

/** Runs a tool `runs` times; the median wall time and the largest RSS are reported. */
export async function timeTool(meter, runs, command, args, files, acceptedCodes, timeoutSeconds) {
  const results = [];
  for (let run = 0; run < runs; run++) {
    const result = await measure(meter, command, args, { ...files, timeoutSeconds });
    if (!result.failure && !acceptedCodes.includes(result.code)) {
      const detail = firstLines(files.stderrPath) || firstLines(files.stdoutPath);
      const signal = result.code > 128 ? ` (signal ${result.code - 128}?)` : '';
      result.failure = `exit ${result.code}${signal}${detail ? `: ${detail}` : ''}`;
    }
    if (result.failure) return { failure: result.failure };
    results.push(result);
  }
  const times = results.map((r) => r.seconds).sort((a, b) => a - b);
  const rss = results.map((r) => r.rssKB).filter((k) => k !== null);
  const cpu = results.map((r) => r.cpuSeconds).filter((c) => c !== null).sort((a, b) => a - b);
  return {
    seconds: times[Math.floor(times.length / 2)],
    rssKB: rss.length ? Math.max(...rss) : null,
    cpuSeconds: cpu.length ? cpu[Math.floor(cpu.length / 2)] : null,
    code: results.at(-1).code,
  };
}
