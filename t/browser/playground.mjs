// The playground in a real browser: Debian's headless Chromium, driven
// by puppeteer-core, against the page that nginx serves in front of a
// real runner (tools/browser-test.sh starts both).
//
//   node t/browser/playground.mjs BASE-URL SCREENSHOT-DIR
//
// 1. Python, typed with the keyboard: three lines with pauses; Ctrl+Enter
//    runs it; each line is on the page before the verdict; then
//    "accepted", with time and memory against the limits.
// 2. C with a syntax error: the diagnostic is marked on its line.
// Screenshots go to SCREENSHOT-DIR.  Prints "N passed, N failed".

import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(process.env.SBX_BROWSER_MODULES + '/');
const puppeteer = require('puppeteer-core');

const base = process.argv[2];
const shots = process.argv[3];
let passed = 0, failed = 0;

function check(ok, what) {
    if (ok) {
        passed++;
        console.log('ok - ' + what);
    } else {
        failed++;
        console.log('not ok - ' + what);
    }
}

const browser = await puppeteer.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});

try {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 1000 });

    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
        if (m.type() === 'error') {
            errors.push(m.text());
        }
    });

    await page.goto(base + '/playground/', { waitUntil: 'networkidle0' });
    await page.waitForSelector('#language:not([disabled])');

    const langs = await page.$$eval('#language option', (o) =>
        o.map((x) => x.value));
    check(langs.includes('python') && langs.includes('c'),
          'the languages come from /languages');

    // ---- 1: Python, live output -------------------------------------

    await page.select('#language', 'python');
    await page.focus('#source');
    await page.keyboard.down('Control');
    await page.keyboard.press('KeyA');
    await page.keyboard.up('Control');
    await page.keyboard.press('Backspace');
    await page.keyboard.type(
        'import time\n' +
        'for i in range(3):\n' +
        '    print("line", i + 1, flush=True)\n' +
        '    time.sleep(0.5)\n');

    const typed = await page.$eval('#source', (t) => t.value);
    check(/^    print\("line", i \+ 1, flush=True\)$/m.test(typed),
          'the program was typed into the editor');

    check(await page.$eval('#highlight-code', (c) =>
              c.querySelector('.token.keyword') !== null),
          'the editor highlights the syntax');

    // record when each line and the verdict appear, in the page itself
    await page.evaluate(() => {
        window.seen = [];
        const t0 = performance.now();
        new MutationObserver(() => {
            const out = document.getElementById('output').textContent;
            const verdict = document.getElementById('verdict').textContent;
            window.seen.push({ t: performance.now() - t0, out, verdict });
        }).observe(document.getElementById('output-section'),
                   { childList: true, subtree: true, characterData: true });
    });

    await page.focus('#source');
    await page.keyboard.down('Control');
    await page.keyboard.press('Enter');
    await page.keyboard.up('Control');

    await page.waitForFunction(() =>
        document.getElementById('verdict').dataset.status, { timeout: 60000 });

    const seen = await page.evaluate(() => window.seen);
    const first = (n) => seen.find((s) => s.out.includes('line ' + n));
    const verdictAt = seen.find((s) => s.verdict !== '');

    for (const n of [1, 2, 3]) {
        const s = first(n);
        check(s && verdictAt && s.t < verdictAt.t && s.verdict === '',
              `line ${n} appeared before the verdict`
              + (s ? ` (${Math.round(s.t)} ms)` : ''));
    }

    check(first(1) && first(3) && first(3).t - first(1).t > 600,
          'the lines arrived as they were printed, not all at once');

    check(seen.some((s) => s.out.includes('line 1') && !s.out.includes('line 2')),
          'the page showed line 1 alone at one moment');

    const verdict = await page.$eval('#verdict', (v) => v.dataset.status);
    check(verdict === 'accepted', 'verdict: ' + verdict);

    const time = await page.$eval('#time-value', (v) => v.textContent);
    const memory = await page.$eval('#memory-value', (v) => v.textContent);
    check(/^\d+ ms of \d+ ms/.test(time), 'time against its limit: ' + time);
    check(/^\d+ KiB of \d+ KiB$/.test(memory),
          'memory against its limit: ' + memory);
    check(await page.$eval('#meters', (m) => !m.hidden), 'the bars are shown');

    const status = await page.$eval('#status', (s) => s.textContent);
    check(/Finished: accepted/.test(status), 'status: ' + status);

    await page.screenshot({ path: path.join(shots, 'playground-python.png'),
                            fullPage: true });

    // ---- 2: C with a syntax error -----------------------------------

    await page.select('#language', 'c');
    await page.$eval('#source', (t) => {
        t.value = '#include <stdio.h>\n\nint\nmain(void)\n{\n' +
                  '    printf("hi\\n")\n    return 0;\n}\n';
        t.dispatchEvent(new Event('input'));
    });

    // the Run button, with the keyboard: Tab from the language picker
    await page.focus('#language');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement.id);
    check(focused === 'run', 'Tab from the language picker reaches Run');
    await page.keyboard.press('Enter');

    await page.waitForFunction(() =>
        document.getElementById('verdict').dataset.status === 'compilation_error',
        { timeout: 90000 });

    check(true, 'verdict: compilation_error');

    const marked = await page.$$eval('#gutter .diag', (d) =>
        d.map((x) => ({ line: Number(x.dataset.line), title: x.title })));
    check(marked.length > 0 && marked.some((m) => m.line === 6 || m.line === 7),
          'the diagnostic is marked on its line: '
          + JSON.stringify(marked));

    const bands = await page.$$eval('#bands .diag-line', (d) =>
        d.map((x) => Number(x.dataset.line)));
    check(bands.length > 0 && bands.every((l) => marked.some((m) =>
              m.line === l)),
          'and a band across that line of the code: ' + bands);

    check(await page.$eval('#meters', (m) => getComputedStyle(m).display
                                             === 'none'),
          'no time and memory bars from the last run');

    const diag = await page.$$eval('#diagnostics-list button', (b) =>
        b.map((x) => x.textContent));
    check(diag.some((d) => /main\.c:[67]/.test(d) && /expected/.test(d)),
          'the diagnostic is listed: ' + diag[0]);

    await page.screenshot({ path: path.join(shots, 'playground-c-error.png'),
                            fullPage: true });

    check(errors.length === 0, 'no errors in the page: ' + errors.join('; '));
} catch (e) {
    failed++;
    console.log('not ok - ' + (e && e.stack || e));
} finally {
    await browser.close();
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
