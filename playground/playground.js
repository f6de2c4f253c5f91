/*
 * The playground's behaviour: the language list from ../languages, an
 * editor (a textarea under a Prism-highlighted copy of its text, with a
 * gutter of line numbers that carries the compiler's diagnostics), and a
 * run: POST ../submissions?wait=false, then the submission's live events
 * (EventSource on ../submissions/{id}/events) until the result.
 *
 * Plain browser JavaScript, no build step, no network but the API.
 */

'use strict';

(function () {

    const api = new URL('../', document.baseURI).href;
    const $ = (id) => document.getElementById(id);

    /* Prism's grammar for each language id of the table, where it has one */
    const grammars = {
        python: 'python', c: 'c', cpp: 'cpp', java: 'java',
        kotlin: 'kotlin', javascript: 'javascript', typescript: 'typescript',
        go: 'go', rust: 'rust', ruby: 'ruby', php: 'php', bash: 'bash',
        perl: 'perl', lua: 'lua', haskell: 'haskell', csharp: 'csharp'
    };

    /* for a language whose table entry has no "example" */
    const examples = {
        python: 'print("Hello, world!")\n',
        c: '#include <stdio.h>\n\nint\nmain(void)\n{\n'
           + '    printf("Hello, world!\\n");\n    return 0;\n}\n',
        cpp: '#include <iostream>\n\nint main()\n{\n'
             + '    std::cout << "Hello, world!" << std::endl;\n}\n',
        javascript: 'console.log("Hello, world!");\n',
        bash: 'echo "Hello, world!"\n'
    };

    const ui = {
        form: $('run-form'), language: $('language'), run: $('run'),
        source: $('source'), code: $('highlight-code'),
        highlight: $('highlight'), gutter: $('gutter'), stdin: $('stdin'),
        bands: $('bands'),
        testsBody: $('tests-body'), addTest: $('add-test'),
        status: $('status'), verdict: $('verdict'), output: $('output'),
        meters: $('meters'), diagnostics: $('diagnostics'),
        diagnosticsList: $('diagnostics-list'), results: $('results'),
        resultsBody: $('results-body')
    };

    let languages = [];
    let current = null;          /* the selected language's entry */
    let stream = null;           /* the EventSource of the run */
    let marks = new Map();       /* line -> diagnostic messages */
    let lastTest = null;         /* the test whose output was shown last */
    let escaped = false;         /* Esc pressed: Tab leaves the editor */


    /* ---- the editor ------------------------------------------------- */

    function render() {
        const text = ui.source.value;
        const name = current && grammars[current.id];
        const grammar = name && window.Prism && Prism.languages[name];

        /* a final line feed needs a line after it to be seen */
        if (grammar) {
            ui.code.innerHTML = Prism.highlight(text, grammar, name) + '\n';
        } else {
            ui.code.textContent = text + '\n';
        }

        renderGutter(text.split('\n').length);
        syncScroll();
    }

    function renderGutter(lines) {
        const frag = document.createDocumentFragment();

        for (let i = 1; i <= lines; i++) {
            const d = document.createElement('div');
            d.textContent = i;
            d.dataset.line = i;

            if (marks.has(i)) {
                d.className = 'diag';
                d.title = marks.get(i).join('\n');
            }

            frag.appendChild(d);
        }

        /* a diagnostic past the last line is still shown */
        for (const line of marks.keys()) {
            if (line > lines) {
                const d = document.createElement('div');
                d.textContent = line;
                d.dataset.line = line;
                d.className = 'diag';
                d.title = marks.get(line).join('\n');
                frag.appendChild(d);
            }
        }

        ui.gutter.replaceChildren(frag);

        /* and a band across each marked line of the code */
        ui.bands.replaceChildren(...Array.from(marks.keys()).map((line) => {
            const d = document.createElement('div');
            d.className = 'diag-line';
            d.dataset.line = line;
            d.style.top = 'calc(6px + ' + (line - 1) + ' * var(--line))';
            return d;
        }));
    }

    function syncScroll() {
        ui.highlight.scrollTop = ui.source.scrollTop;
        ui.highlight.scrollLeft = ui.source.scrollLeft;
        ui.gutter.scrollTop = ui.source.scrollTop;
        ui.bands.style.transform = 'translate(' + -ui.source.scrollLeft
                                   + 'px, ' + -ui.source.scrollTop + 'px)';
    }

    function gotoLine(line) {
        const lines = ui.source.value.split('\n');
        let at = 0;

        for (let i = 0; i < line - 1 && i < lines.length; i++) {
            at += lines[i].length + 1;
        }

        ui.source.focus();
        ui.source.setSelectionRange(at, at);
    }

    ui.source.addEventListener('input', render);
    ui.source.addEventListener('scroll', syncScroll);

    ui.source.addEventListener('keydown', (e) => {
        if (e.key === 'Escape') {
            escaped = true;
            return;
        }

        if (e.key === 'Tab' && !e.shiftKey && !escaped && !e.ctrlKey
            && !e.altKey && !e.metaKey)
        {
            e.preventDefault();
            const s = ui.source.selectionStart, t = ui.source.selectionEnd;
            ui.source.setRangeText('    ', s, t, 'end');
            render();
        }

        if (e.key !== 'Escape') {
            escaped = false;
        }
    });


    /* ---- languages -------------------------------------------------- */

    function exampleOf(lang) {
        if (!lang) {
            return '';
        }

        return typeof lang.example === 'string' ? lang.example
                                                : (examples[lang.id] || '');
    }

    async function loadLanguages() {
        try {
            const res = await fetch(api + 'languages');
            const doc = await res.json();
            languages = doc.languages || [];
        } catch (err) {
            ui.status.textContent = 'Cannot load the languages: ' + err;
            return;
        }

        ui.language.replaceChildren(...languages.map((l) => {
            const o = document.createElement('option');
            o.value = l.id;
            o.textContent = (l.name || l.id) + ' ' + (l.version || '');
            return o;
        }));

        const start = languages.find((l) => l.id === 'python')
                      || languages[0];

        if (start) {
            ui.language.value = start.id;
        }

        ui.language.disabled = false;
        ui.run.disabled = false;
        chooseLanguage(true);
    }

    function chooseLanguage(first) {
        const before = current;

        current = languages.find((l) => l.id === ui.language.value) || null;

        /* the example replaces the text only if it was untouched */
        if (first || ui.source.value.trim() === ''
            || ui.source.value === exampleOf(before))
        {
            ui.source.value = exampleOf(current);
        }

        const d = current && current.limits && current.limits.default;

        for (const [id, key] of [['limit-cpu', 'cpu_time_ms'],
                                 ['limit-wall', 'wall_time_ms'],
                                 ['limit-memory', 'memory_kb'],
                                 ['limit-output', 'output_kb']])
        {
            $(id).placeholder = d && d[key] ? String(d[key]) : '';
        }

        clearMarks();
        render();
    }

    ui.language.addEventListener('change', () => chooseLanguage(false));


    /* ---- tests ------------------------------------------------------ */

    function addTest(stdin, expected) {
        const tr = document.createElement('tr');
        const n = ui.testsBody.rows.length + 1;

        tr.innerHTML = '<th scope="row"></th>'
            + '<td><textarea rows="2" spellcheck="false"></textarea></td>'
            + '<td><textarea rows="2" spellcheck="false"></textarea></td>'
            + '<td><button type="button">Remove</button></td>';

        const [a, b] = tr.querySelectorAll('textarea');
        a.value = stdin || '';
        b.value = expected || '';
        tr.querySelector('button').addEventListener('click', () => {
            tr.remove();
            numberTests();
            ui.addTest.focus();
        });

        ui.testsBody.appendChild(tr);
        numberTests();
        a.focus();
        return n;
    }

    function numberTests() {
        Array.from(ui.testsBody.rows).forEach((tr, i) => {
            tr.cells[0].textContent = i + 1;
            const [a, b] = tr.querySelectorAll('textarea');
            a.setAttribute('aria-label', 'Test ' + (i + 1) + ' stdin');
            b.setAttribute('aria-label',
                           'Test ' + (i + 1) + ' expected output');
            tr.querySelector('button').setAttribute('aria-label',
                                                    'Remove test ' + (i + 1));
        });
    }

    ui.addTest.addEventListener('click', () => addTest());


    /* ---- a run ------------------------------------------------------ */

    function submission() {
        const sub = { language: ui.language.value, source: ui.source.value };
        const tests = Array.from(ui.testsBody.rows).map((tr) => {
            const [a, b] = tr.querySelectorAll('textarea');
            const t = { stdin: a.value };

            if (b.value !== '') {
                t.expected_output = b.value;
            }

            return t;
        });

        if (tests.length) {
            sub.tests = tests;
        } else if (ui.stdin.value !== '') {
            sub.stdin = ui.stdin.value;
        }

        const limits = {};

        for (const input of ui.form.querySelectorAll('.limits input')) {
            if (input.value !== '') {
                limits[input.name] = Number(input.value);
            }
        }

        if (Object.keys(limits).length) {
            sub.limits = limits;
        }

        return sub;
    }

    function resetRun() {
        ui.output.replaceChildren();
        ui.verdict.textContent = '';
        ui.verdict.className = 'verdict';
        ui.meters.hidden = true;
        ui.results.hidden = true;
        ui.resultsBody.replaceChildren();
        ui.diagnostics.hidden = true;
        ui.diagnosticsList.replaceChildren();
        lastTest = null;
        clearMarks();
        render();
    }

    function setStatus(text) {
        ui.status.textContent = text;
        ui.status.dataset.state = text.split(/[ .…]/)[0].toLowerCase();
    }

    async function run() {
        if (stream || ui.run.disabled) {
            return;
        }

        resetRun();
        ui.run.disabled = true;
        setStatus('Submitting…');

        let res, doc;

        try {
            res = await fetch(api + 'submissions?wait=false', {
                method: 'POST',
                headers: { 'Content-Type': 'application/json' },
                body: JSON.stringify(submission())
            });
            doc = await res.json();
        } catch (err) {
            finish('Cannot submit: ' + err);
            return;
        }

        if (res.status !== 202 || !doc.id) {
            const e = doc && doc.error;
            finish('Refused: ' + (e ? e.message
                                      + (e.field ? ' (' + e.field + ')' : '')
                                    : 'HTTP ' + res.status));
            return;
        }

        listen(doc.id);
    }

    function listen(id) {
        const es = new EventSource(api + 'submissions/' + id + '/events');
        stream = es;

        es.addEventListener('status', (e) => {
            setStatus(cap(JSON.parse(e.data).status) + '…');
        });

        es.addEventListener('stdout', (e) => output(JSON.parse(e.data),
                                                    'stdout'));
        es.addEventListener('stderr', (e) => output(JSON.parse(e.data),
                                                    'stderr'));
        es.addEventListener('test', (e) => testRow(JSON.parse(e.data)));

        es.addEventListener('dropped', (e) => {
            appendOutput('\n[' + JSON.parse(e.data).message + ']\n',
                         'note');
        });

        es.addEventListener('result', (e) => {
            es.close();
            stream = null;
            showResult(JSON.parse(e.data));
        });

        es.onerror = () => {
            if (stream !== es) {
                return;
            }

            /* no automatic reconnection: the result says what happened */
            es.close();
            stream = null;
            fetch(api + 'submissions/' + id).then((r) => r.json())
                .then(showResult)
                .catch(() => finish('The event stream broke.'));
        };
    }

    function output(ev, stream) {
        const test = ev.step === 'compile' ? 'compile' : ev.test;

        if (test !== lastTest && ui.testsBody.rows.length > 1
            || (test === 'compile' && lastTest === null))
        {
            appendOutput((ui.output.childNodes.length ? '\n' : '')
                         + (test === 'compile' ? '── compiler ──'
                                               : '── test ' + (test + 1)
                                                 + ' ──') + '\n', 'note');
        }

        lastTest = test;
        appendOutput(ev.data, stream);
    }

    function appendOutput(text, cls) {
        const span = document.createElement('span');
        span.className = cls;
        span.textContent = text;
        ui.output.appendChild(span);
        ui.output.scrollTop = ui.output.scrollHeight;
    }

    function testRow(t) {
        ui.results.hidden = false;

        let tr = ui.resultsBody.querySelector('tr[data-test="' + t.test
                                              + '"]');
        if (!tr) {
            tr = document.createElement('tr');
            tr.dataset.test = t.test;
            ui.resultsBody.appendChild(tr);
        }

        tr.innerHTML = '';

        for (const v of [t.test + 1, t.status.replace(/_/g, ' '),
                         t.time_ms + ' ms', t.memory_kb + ' KiB'])
        {
            const td = document.createElement('td');
            td.textContent = v;
            tr.appendChild(td);
        }

        tr.cells[1].className = 'status-' + t.status;
    }

    function showResult(r) {
        if (!r || !r.status) {
            finish('No result.');
            return;
        }

        ui.verdict.textContent = r.status.replace(/_/g, ' ')
                                 + (r.message ? ': ' + r.message : '');
        ui.verdict.className = 'verdict status-' + r.status;
        ui.verdict.dataset.status = r.status;

        (r.tests || []).forEach((t, i) => testRow(Object.assign({ test: i },
                                                                t)));

        if (r.limits && r.time_ms !== undefined) {
            meter('time', r.time_ms, r.limits.cpu_time_ms, 'ms',
                  'wall ' + r.wall_time_ms + ' ms');
            meter('memory', r.memory_kb, r.limits.memory_kb, 'KiB');
            ui.meters.hidden = false;
        }

        const diags = (r.compile && r.compile.diagnostics) || [];

        if (diags.length) {
            showDiagnostics(diags);
        }

        finish('Finished: ' + r.status.replace(/_/g, ' ') + '.');
    }

    function meter(name, value, max, unit, extra) {
        const bar = $(name + '-bar');
        const pct = max ? Math.min(100, 100 * value / max) : 0;

        bar.firstElementChild.style.width = pct + '%';
        bar.setAttribute('aria-valuenow', value);
        bar.setAttribute('aria-valuemax', max);
        bar.setAttribute('aria-valuetext', value + ' ' + unit + ' of '
                                           + max + ' ' + unit);
        bar.classList.toggle('over', value > max);
        $(name + '-value').textContent = value + ' ' + unit + ' of ' + max
                                         + ' ' + unit
                                         + (extra ? ' (' + extra + ')' : '');
    }

    function showDiagnostics(diags) {
        const source = current && current.source_file;

        clearMarks();

        for (const d of diags) {
            const li = document.createElement('li');
            const b = document.createElement('button');
            const where = (d.file || '') + ':' + d.line
                          + (d.column ? ':' + d.column : '');

            b.type = 'button';
            b.className = 'diagnostic ' + (d.severity || 'error');
            b.textContent = where + ': ' + (d.severity || 'error') + ': '
                            + d.message;
            b.dataset.line = d.line;
            b.addEventListener('click', () => gotoLine(d.line));
            li.appendChild(b);
            ui.diagnosticsList.appendChild(li);

            if (d.line && (!d.file || !source || d.file === source
                           || d.file.endsWith('/' + source)))
            {
                const m = marks.get(d.line) || [];
                m.push((d.severity || 'error') + ': ' + d.message);
                marks.set(d.line, m);
            }
        }

        ui.diagnostics.hidden = false;
        render();
    }

    function clearMarks() {
        marks = new Map();
    }

    function finish(text) {
        setStatus(text);
        ui.run.disabled = false;
    }

    function cap(s) {
        return s.charAt(0).toUpperCase() + s.slice(1);
    }

    ui.form.addEventListener('submit', (e) => {
        e.preventDefault();
        run();
    });

    document.addEventListener('keydown', (e) => {
        if ((e.ctrlKey || e.metaKey) && e.key === 'Enter') {
            e.preventDefault();
            run();
        }
    });

    loadLanguages();

})();
