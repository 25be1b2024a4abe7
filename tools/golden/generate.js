#!/usr/bin/env node
/*
 * finscore golden-file generator (dev only).
 *
 * Runs the ORIGINAL reference implementation of Universal Sentence Encoder
 * Lite -- the `Tokenizer` of @tensorflow-models/universal-sentence-encoder@1.3.3
 * and the TensorFlow.js graph model executed by @tensorflow/tfjs-converter on
 * the tfjs `cpu` backend -- and writes two golden files that the Go tests
 * compare against:
 *
 *   core/tokenize/testdata/reference_ids.txt.gz
 *       token ids of every distinct text of every sentiment CSV
 *       (only a hash of each text is stored, never the text: Financial
 *       PhraseBank is licensed for evaluation only)
 *   core/encoder/testdata/reference_embeddings.jsonl.gz
 *       512-d embeddings of 300 sampled MIT-licensed sentences, of
 *       hand-written hard cases, and of a few batch cases
 *
 * Usage:
 *   cd tools/golden && npm ci && node generate.js [--shared DIR] [--out DIR]
 *                                                 [--skip-wasm] [--wasm-sample N]
 *     --shared DIR     the project's shared/ folder (default: ../../../shared
 *                      relative to this script, i.e. /work/shared)
 *     --out DIR        repository root to write into (default: ../.. relative
 *                      to this script)
 *     --skip-wasm      do not cross-check with the wasm backend
 *     --wasm-sample N  how many of the sampled sentences to cross-check on
 *                      wasm (default 60; all hard and batch cases always are)
 *
 * Output is deterministic: rerunning with the same inputs, the same
 * package-lock.json and the same Node version gives byte-identical files.
 */
'use strict';

const fs = require('fs');
const path = require('path');
const zlib = require('zlib');
const crypto = require('crypto');

// ---------------------------------------------------------------------------
// Reference packages. tfjs-core must be loaded before the backends register
// themselves; the USE tokenizer is required from its dist/ file directly, as
// PROVENANCE.md prescribes (the package index would also pull in use_qna).
// ---------------------------------------------------------------------------
const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
require('@tensorflow/tfjs-backend-wasm');
const tfconv = require('@tensorflow/tfjs-converter');
const { Tokenizer } = require('@tensorflow-models/universal-sentence-encoder/dist/tokenizer');

const USE_PKG = '@tensorflow-models/universal-sentence-encoder';
const USE_VERSION = require(`${USE_PKG}/package.json`).version;
const TFJS_VERSION = require('@tensorflow/tfjs-core/package.json').version;

// ---------------------------------------------------------------------------
// Command line.
// ---------------------------------------------------------------------------
function parseArgs(argv) {
  const opts = {
    shared: path.resolve(__dirname, '../../../shared'),
    out: path.resolve(__dirname, '../..'),
    skipWasm: false,
    wasmSample: 60,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--shared') opts.shared = path.resolve(val());
    else if (a === '--out') opts.out = path.resolve(val());
    else if (a === '--skip-wasm') opts.skipWasm = true;
    else if (a === '--wasm-sample') opts.wasmSample = parseInt(val(), 10);
    else if (a === '-h' || a === '--help') {
      console.log('usage: node generate.js [--shared DIR] [--out DIR] [--skip-wasm] [--wasm-sample N]');
      process.exit(0);
    } else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

// ---------------------------------------------------------------------------
// Small helpers.
// ---------------------------------------------------------------------------
const sha256hex = (buf) => crypto.createHash('sha256').update(buf).digest('hex');
// The key of a text in reference_ids.txt: first 16 hex chars of sha256(UTF-8).
const textKey = (text) => sha256hex(Buffer.from(text, 'utf8')).slice(0, 16);

const t0 = Date.now();
function log(msg) {
  console.log(`[${((Date.now() - t0) / 1000).toFixed(1).padStart(6)}s] ${msg}`);
}

// Read "<64 hex>  <file name>" lines (sha256sum style, as in PROVENANCE.md and
// the MANIFEST.txt files) into a map name -> hex.
function readShaList(file) {
  const map = new Map();
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([0-9a-f]{64})\s+(\S+)\s*$/.exec(line);
    if (m) map.set(m[2], m[1]);
  }
  return map;
}

function checkSha(dir, name, expected) {
  const got = sha256hex(fs.readFileSync(path.join(dir, name)));
  if (expected.get(name) !== got) {
    throw new Error(`sha256 mismatch for ${path.join(dir, name)}: got ${got}, expected ${expected.get(name)}`);
  }
  return got;
}

// Deterministic PRNG (mulberry32): the sample must not depend on Math.random.
function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Shortest decimal that parses back (as float32) to exactly the same float32.
// Go reads it back exactly with strconv.ParseFloat(s, 32) or by decoding the
// JSON into a float32 field.
function f32str(x) {
  if (!Number.isFinite(x)) throw new Error(`non-finite value ${x}`);
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  for (let p = 1; p <= 9; p++) {
    const s = x.toPrecision(p);
    if (Math.fround(Number(s)) === x) return String(Number(s));
  }
  throw new Error(`cannot format ${x}`); // unreachable: 9 digits always round-trip float32
}
const vecJson = (v) => '[' + Array.from(v, f32str).join(',') + ']';
// A diagnostic number with 3 significant digits, as a JSON number.
const num3 = (x) => JSON.stringify(Number(x.toPrecision(3)));

// gzip with fixed level; Node's zlib writes mtime 0 and no file name, so the
// same input always gives the same bytes.
function writeGzip(file, text) {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const gz = zlib.gzipSync(Buffer.from(text, 'utf8'), { level: 9, memLevel: 9 });
  fs.writeFileSync(file, gz);
  return gz.length;
}

// ---------------------------------------------------------------------------
// CSV: a port of Go's encoding/csv Reader with its default settings (Comma
// ',', no comment char, LazyQuotes=false, TrimLeadingSpace=false,
// FieldsPerRecord fixed by the first record). The Go tests read the CSVs with
// encoding/csv, so every field string must be exactly what Go returns:
//   - "\r\n" at the end of every physical line becomes "\n" (also inside
//     multi-line quoted fields); a lone "\r" before EOF is dropped
//   - empty lines between records are skipped
//   - `""` inside a quoted field is one `"`; a quote in an unquoted field or a
//     stray quote after a closing quote is an error (as in Go)
// The parser works on the JS string: all syntax characters are ASCII, so
// UTF-16 vs UTF-8 makes no difference to where fields split.
// ---------------------------------------------------------------------------
function parseCsvLikeGo(content, fileLabel) {
  // Physical lines, each keeping its "\n" (normalised from "\r\n").
  const lines = [];
  let start = 0;
  while (start < content.length) {
    const nl = content.indexOf('\n', start);
    let line;
    if (nl < 0) {
      line = content.slice(start);
      if (line.endsWith('\r')) line = line.slice(0, -1); // Go: drop trailing \r before EOF
      start = content.length;
    } else {
      line = content.slice(start, nl + 1);
      start = nl + 1;
      if (line.endsWith('\r\n')) line = line.slice(0, -2) + '\n';
    }
    lines.push(line);
  }
  const lengthNL = (s) => (s.length > 0 && s[s.length - 1] === '\n' ? 1 : 0);

  const records = [];
  let li = 0;
  let fieldsPerRecord = 0;
  while (li < lines.length) {
    let line = lines[li++];
    if (line.length === lengthNL(line)) continue; // skip empty lines
    const recLine = li;
    const fields = [];
    for (;;) {
      if (line.length === 0 || line[0] !== '"') {
        // Unquoted field: up to the next comma or the end of the line.
        const i = line.indexOf(',');
        const field = i >= 0 ? line.slice(0, i) : line.slice(0, line.length - lengthNL(line));
        if (field.includes('"')) throw new Error(`${fileLabel}:${recLine}: bare quote in unquoted field`);
        fields.push(field);
        if (i >= 0) { line = line.slice(i + 1); continue; }
        break;
      }
      // Quoted field, possibly spanning several physical lines.
      line = line.slice(1);
      let buf = '';
      let done = false;
      while (!done) {
        const i = line.indexOf('"');
        if (i >= 0) {
          buf += line.slice(0, i);
          line = line.slice(i + 1);
          if (line[0] === '"') { buf += '"'; line = line.slice(1); }           // `""`
          else if (line[0] === ',') { line = line.slice(1); fields.push(buf); done = 'next'; } // `",`
          else if (lengthNL(line) === line.length) { fields.push(buf); done = 'end'; }       // `"\n`
          else throw new Error(`${fileLabel}:${recLine}: extraneous or missing " in quoted field`);
        } else if (line.length > 0) {
          buf += line; // keeps the (normalised) newline
          if (li >= lines.length) throw new Error(`${fileLabel}:${recLine}: unterminated quoted field`);
          line = lines[li++];
        } else {
          throw new Error(`${fileLabel}:${recLine}: unterminated quoted field`);
        }
      }
      if (done === 'end') break;
    }
    if (fieldsPerRecord === 0) fieldsPerRecord = fields.length;
    else if (fields.length !== fieldsPerRecord) {
      throw new Error(`${fileLabel}:${recLine}: wrong number of fields (${fields.length} != ${fieldsPerRecord})`);
    }
    records.push(fields);
  }
  return records;
}

// ---------------------------------------------------------------------------
// The data sets: file, text column, expected data-row count (from the
// MANIFEST.txt files; verified at run time), and whether the text may appear
// in the repository (MIT) or only as a hash (Financial PhraseBank).
// ---------------------------------------------------------------------------
const DATASETS = [
  { id: 'twitter_train', dir: 'train/twitter-financial-news', file: 'sent_train.csv', column: 'text', rows: 9543, mit: true },
  { id: 'twitter_valid', dir: 'train/twitter-financial-news', file: 'sent_valid.csv', column: 'text', rows: 2388, mit: true },
  { id: 'sentfin', dir: 'train/sentfin', file: 'SEntFiN.csv', column: 'Title', rows: 10753, mit: true },
  { id: 'sentfin_headline', dir: 'train/sentfin', file: 'sentfin_headline_level.csv', column: 'title', rows: 10753, mit: true },
  { id: 'fpb_50agree', dir: 'eval/financial-phrasebank', file: 'fpb_50agree.csv', column: 'sentence', rows: 4846, mit: false },
  { id: 'fpb_66agree', dir: 'eval/financial-phrasebank', file: 'fpb_66agree.csv', column: 'sentence', rows: 4217, mit: false },
  { id: 'fpb_75agree', dir: 'eval/financial-phrasebank', file: 'fpb_75agree.csv', column: 'sentence', rows: 3453, mit: false },
  { id: 'fpb_allagree', dir: 'eval/financial-phrasebank', file: 'fpb_allagree.csv', column: 'sentence', rows: 2264, mit: false },
];

// How many sentences to sample from each MIT set for the embedding goldens
// (300 in total), and the seed of the PRNG.
const SAMPLE_PLAN = [
  { set: 'twitter_train', n: 120 },
  { set: 'twitter_valid', n: 60 },
  { set: 'sentfin', n: 120 },
];
const SAMPLE_SEED = 0x5eed2024;

function loadDatasets(sharedDir) {
  const base = path.join(sharedDir, 'data', 'sentiment');
  // Every *.csv under train/ and eval/ must be one we know about, so that a
  // new file cannot silently be left out of the ids golden.
  const found = [];
  for (const top of ['train', 'eval']) {
    for (const sub of fs.readdirSync(path.join(base, top))) {
      const d = path.join(base, top, sub);
      if (!fs.statSync(d).isDirectory()) continue;
      for (const f of fs.readdirSync(d)) if (f.endsWith('.csv')) found.push(`${top}/${sub}/${f}`);
    }
  }
  const known = new Set(DATASETS.map((d) => `${d.dir}/${d.file}`));
  for (const f of found) if (!known.has(f)) throw new Error(`unexpected CSV ${f}: add it to DATASETS`);

  const shaCache = new Map();
  for (const ds of DATASETS) {
    const dir = path.join(base, ds.dir);
    if (!shaCache.has(dir)) shaCache.set(dir, readShaList(path.join(dir, 'MANIFEST.txt')));
    ds.sha256 = checkSha(dir, ds.file, shaCache.get(dir));
    const content = fs.readFileSync(path.join(dir, ds.file), 'utf8');
    const records = parseCsvLikeGo(content, ds.file);
    const col = records[0].indexOf(ds.column);
    if (col < 0) throw new Error(`${ds.file}: no column ${ds.column} in header ${records[0]}`);
    ds.texts = records.slice(1).map((r) => r[col]);
    if (ds.texts.length !== ds.rows) {
      throw new Error(`${ds.file}: ${ds.texts.length} data rows, MANIFEST says ${ds.rows}`);
    }
    ds.distinct = new Set(ds.texts).size;
    log(`  ${ds.dir}/${ds.file}: ${ds.texts.length} rows (${ds.distinct} distinct texts), column "${ds.column}", sha256 ok`);
  }
  return DATASETS;
}

// ---------------------------------------------------------------------------
// Model loading: an in-process IOHandler that hands loadGraphModel the
// topology from model.json and the shards concatenated in manifest order. No
// network and no file:// URL handling involved.
// ---------------------------------------------------------------------------
function modelArtifacts(modelDir) {
  const modelJson = JSON.parse(fs.readFileSync(path.join(modelDir, 'model.json'), 'utf8'));
  const weightSpecs = [];
  const buffers = [];
  for (const group of modelJson.weightsManifest) {
    weightSpecs.push(...group.weights);
    for (const p of group.paths) buffers.push(fs.readFileSync(path.join(modelDir, p)));
  }
  const all = Buffer.concat(buffers);
  return {
    modelTopology: modelJson.modelTopology,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy,
    signature: modelJson.signature,
    userDefinedMetadata: modelJson.userDefinedMetadata,
    weightSpecs,
    // A fresh ArrayBuffer holding exactly the weight bytes.
    weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
  };
}

async function loadModelOn(backend, artifacts) {
  const ok = await tf.setBackend(backend);
  if (!ok) throw new Error(`backend ${backend} failed to initialise`);
  await tf.ready();
  return tfconv.loadGraphModel({ load: async () => artifacts });
}

// Build the model inputs exactly as UniversalSentenceEncoder.embed (dist/index.js
// of the USE package) does: encodings = texts.map(encode); indices = int32
// [N,2] of [row, position] for every token in row order; values = int32 [N] of
// the flattened ids. Then model.executeAsync({indices, values}).
// Returns {ids, shape, rows: Float32Array[]} or {ids, error}.
async function embedLikeReference(model, tokenizer, texts) {
  const encodings = texts.map((t) => tokenizer.encode(t));
  const flatIndices = [];
  encodings.forEach((arr, i) => arr.forEach((_, index) => flatIndices.push([i, index])));
  const indices = tf.tensor2d(flatIndices, [flatIndices.length, 2], 'int32');
  const values = tf.tensor1d(tf.util.flatten(encodings), 'int32');
  try {
    const out = await model.executeAsync({ indices, values });
    const data = await out.data();
    const [n, d] = out.shape;
    out.dispose();
    const rows = [];
    for (let i = 0; i < n; i++) rows.push(Float32Array.from(data.subarray(i * d, (i + 1) * d)));
    return { ids: encodings, shape: [n, d], rows };
  } catch (e) {
    return { ids: encodings, error: String((e && e.message) || e) };
  } finally {
    indices.dispose();
    values.dispose();
  }
}

const maxAbsDiff = (a, b) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

// ---------------------------------------------------------------------------
// Hand-written hard cases (our own text; no data-set text). Each has a name,
// the text, and optionally a note on the tokenizer quirk it targets.
// ---------------------------------------------------------------------------

// Own financial sentences used to build the over-long inputs.
const PARAGRAPH_SENTENCES = [
  'Quarterly revenue rose 12 percent to $4.2 billion, beating the consensus estimate by a wide margin.',
  'Operating margin narrowed as input costs climbed and the company kept investing in new capacity.',
  'Management reaffirmed full-year guidance and announced a $500 million share buyback program.',
  'Analysts at several brokers raised their price targets, citing stronger demand in cloud services.',
  'The stock fell 3.5% in early trading after the central bank signalled further rate increases.',
  'Net debt declined to 1.8 times EBITDA, giving the board room to lift the dividend next year.',
  'Free cash flow of EUR 310 million was well ahead of last year, helped by working capital.',
  'Shares of regional lenders slid on worries about deposit outflows and commercial property loans.',
  'The merger is expected to close in the second half, subject to regulatory approval in Europe.',
  'Bond yields edged higher while the dollar weakened against the yen and the Swiss franc.',
  'Inventory levels normalised, and the order backlog reached a record for the third straight quarter.',
  'Investors rotated out of growth names into energy and utilities as oil prices jumped 4%.',
];
function paragraph(words, firstSentence = 0) {
  const out = [];
  for (let i = firstSentence; out.length < words; i++) {
    for (const w of PARAGRAPH_SENTENCES[i % PARAGRAPH_SENTENCES.length].split(' ')) {
      if (out.length < words) out.push(w);
    }
  }
  return out.join(' ');
}

function hardCases() {
  const H = (name, text, note) => ({ name: `hard/${name}`, text, note });
  return [
    // --- empty and whitespace -------------------------------------------------
    H('empty', '', 'encode("") returns [], so indices is [0,2] and values [0]'),
    H('space', ' ', 'NFKC keeps the space; prefix + replace gives "\u2581\u2581"'),
    H('whitespace', '   ', 'only ASCII spaces: every one becomes a U+2581 token'),
    H('tab-newline', 'a\tb\nc', 'tab and newline are NOT replaced by U+2581; they are unknown (id 0) characters'),
    H('newlines', '\n\n', 'two unknown characters merged into one id 0'),
    H('crlf', 'line one\r\nline two', 'CR and LF unknown, merged'),
    H('leading-trailing-spaces', '  revenue rose  ', 'leading/trailing spaces give extra U+2581 tokens'),
    H('double-space', 'net  income', 'two spaces: a lone U+2581 token between words'),
    H('separator-char-literal', 'a\u2581b \u2581\u2581', 'input that already contains U+2581 behaves like a space'),
    // --- emoji ----------------------------------------------------------------
    H('emoji', 'Stocks \u{1F680}\u{1F680} to the moon \u{1F4C8}', 'astral code points are one symbol each; unknown, merged'),
    H('emoji-zwj', 'Team \u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466} budget', 'ZWJ sequence: all unknown, merged into one 0'),
    H('emoji-flags', '\u{1F1FA}\u{1F1F8} vs \u{1F1EF}\u{1F1F5} vs \u{1F1EA}\u{1F1FA} yields', 'regional indicator pairs'),
    H('emoji-vs16', '\u2764\uFE0F this stock \u2714\uFE0F', 'variation selector 16'),
    H('emoji-skin-tone', '\u{1F44D}\u{1F3FD} deal', 'emoji + skin tone modifier'),
    H('emoji-only', '\u{1F4C8}\u{1F4C9}', 'only unknown astral symbols'),
    H('single-astral-emoji', '\u{1F680}', 'a single astral unknown'),
    // --- scripts --------------------------------------------------------------
    H('cjk', '\u4E1C\u4EAC\u8BC1\u5238\u4EA4\u6613\u6240 \u682A\u4FA1 \u4E0A\u6607'),
    H('hangul', '\uC0BC\uC131\uC804\uC790 \uC8FC\uAC00 \uC0C1\uC2B9'),
    H('hangul-jamo', '\u1100\u1161\u11A8 \uAC01', 'conjoining jamo are composed by NFKC'),
    H('halfwidth-katakana', '\uFF76\uFF9E\uFF80\uFF76\uFF85', 'NFKC maps half-width katakana (+ voiced mark) to full-width composed'),
    H('cyrillic', '\u0413\u0430\u0437\u043F\u0440\u043E\u043C \u043F\u0440\u0438\u0431\u044B\u043B\u044C \u0432\u044B\u0440\u043E\u0441\u043B\u0430'),
    H('arabic', '\u0623\u0631\u0627\u0645\u0643\u0648 \u0627\u0644\u0633\u0639\u0648\u062F\u064A\u0629'),
    H('devanagari', '\u0930\u093F\u0932\u093E\u092F\u0902\u0938 \u0907\u0902\u0921\u0938\u094D\u091F\u094D\u0930\u0940\u091C'),
    H('greek', '\u0395\u03BB\u03BB\u03B7\u03BD\u03B9\u03BA\u03AC \u03BF\u03BC\u03CC\u03BB\u03BF\u03B3\u03B1'),
    H('turkish-german', '\u0130STANBUL \u0131 Stra\u00DFe \u1E9E', 'no case folding in the reference'),
    // --- combining marks ------------------------------------------------------
    H('combining-cafe', 'Cafe\u0301 Rouge earnings', 'e + U+0301 composes to U+00E9 under NFKC'),
    H('zoe', 'Zo\u00EB and Zoe\u0308', 'precomposed and decomposed forms give the same ids'),
    H('vietnamese', 'Tie\u0302\u0301ng Vie\u0323\u0302t: thi\u0323 tru\u031Bo\u031B\u0300ng ch\u01B0\u0301ng kho\u00E1n', 'mixed decomposed/precomposed, several marks per base'),
    H('combining-orphan', '\u0301abc', 'a combining mark with no base (NFKC cannot compose it with the U+2581 prefix, which is added after normalisation)'),
    // --- NFKC compatibility mappings -----------------------------------------
    H('nfkc-ligatures', '\uFB01nance \uFB02ow \uFB03', 'fi/fl/ffi ligatures expand'),
    H('nfkc-fullwidth', '\uFF11\uFF12\uFF13\uFF14\uFF15 \uFF25\uFF35\uFF32', 'full-width digits and letters'),
    H('nfkc-fullwidth-ideographic-space', '\uFF11\uFF12\uFF13\uFF14\uFF15\u3000\uFF25\uFF35\uFF32', 'U+3000 becomes an ASCII space, then U+2581'),
    H('nfkc-superscripts', 'm\u00B2 x\u00B3 10\u2076', 'superscripts become digits'),
    H('nfkc-fractions', '\u00BD \u00BC \u00BE', 'U+00BD -> "1\u20442" (fraction slash U+2044)'),
    H('nfkc-roman', '\u216B \u2163 \u2177', 'Roman numerals become letters'),
    H('nfkc-spaces', 'a\u00A0b\u2009c\u3000d\u2002e\u202Ff', 'NBSP, thin, ideographic, en, narrow NBSP: all become ASCII space'),
    H('nfkc-spacing-accents', '\u00B4 \u00A8 \u00AF', 'NFKC maps these to SPACE + combining mark, creating extra U+2581'),
    H('nfkc-symbols', '\u2122 \u2103 \u2026 \u338F \u337F \u2460\u2469', 'TM, degree C, ellipsis, kg, kabushiki-kaisha, circled numbers'),
    H('nfkc-math-fraktur', '\u{1D509}\u{1D526}\u{1D52B}', 'astral math letters -> ASCII "Fin"'),
    H('nfkc-math-bold', '\u{1D404}\u{1D40F}\u{1D412} \u{1D7CF}\u{1D7D0}\u{1D7D1}', 'astral bold letters/digits -> ASCII'),
    // --- unknown characters ---------------------------------------------------
    H('unknown-run', '\u03A9\u2248\u00E7\u221A\u222B', 'consecutive unknowns merged into one 0'),
    H('unknown-single', '\u2248', 'a single unknown character'),
    H('unknown-separated', '\u03A9 \u2248 \u03A9', 'unknowns separated by U+2581 are not merged'),
    H('unknown-inside-word', 'x\u2248\u2248y', 'unknowns between known pieces'),
    H('unknown-long-run', '\u2248'.repeat(50), '50 unknowns -> [30, 0]'),
    H('private-use', 'PUA \uE000\uF8FF\u{F0000}\u{10FFFD} end', 'BMP and astral private-use characters'),
    H('control-chars', '\u0000\u0001', 'NUL and SOH'),
    H('control-mixed', 'a\u0000b\u001Fc\u007Fd', 'control chars between letters'),
    H('zero-width', 'a\u200Bb\u200Cc\u200Dd \uFEFFhello', 'ZWSP/ZWNJ/ZWJ/BOM are not changed by NFKC: unknown'),
    H('soft-hyphen', 'pre\u00ADmarket', 'soft hyphen is unknown'),
    H('replacement-char', '\uFFFD', 'U+FFFD is vocab[0] but ids 0..5 are never in the trie: it is an unknown -> 0 anyway'),
    H('astral-unknown-run', '\u{13000}\u{13001}\u{13002} hieroglyphs', 'astral symbols with no NFKC mapping'),
    H('astral-mixed-nfkc', '\u{1D509}\u{1F680}\u{1D526}', 'astral: one maps to ASCII, one is unknown'),
    // --- finance-style text ---------------------------------------------------
    H('tickers', '$AAPL $TSLA up 5%'),
    H('url-ticker', 'https://t.co/AbC123 $BTC.X', '"://" is a null-score piece'),
    H('url-query', 'Read more at www.example.com/markets?id=42&ref=tw'),
    H('hashtags-mentions', '#earnings @Reuters $SPY RT:'),
    H('html-entities', 'AT&amp;T &lt;up&gt; &quot;buy&quot;'),
    H('mixed-case', 'ApPlE iNc REPORTS Record QUARTER', 'case-sensitive vocabulary'),
    H('all-caps', 'CITRON SAYS IT IS LONG ON COFFEE'),
    H('punctuation-only', '!!!???...'),
    H('numbers', 'Q3 EPS $1.23 vs $1.10 est., rev +12.5% y/y'),
    H('numbers-indian', 'Sensex up 1,234.56 pts; Rs 5,000 crore (\u20B950bn)'),
    H('currencies', '\u20AC12m \u00A33.4bn \u00A5500 \u20B910 \u20BF0.5'),
    H('dashes', 'EUR\u2013USD \u2014 down \u22123% \u2010 \u2011 \u2015'),
    H('quotes', '\u201CBuy\u201D \u2018Hold\u2019 \u00ABSell\u00BB \u201ENeutral\u201C'),
    H('single-char', 'a'),
    H('single-char-upper', 'A'),
    H('single-digit', '7'),
    // --- Viterbi quirks ------------------------------------------------------
    H('quirk-colon', ':', 'null-score pieces + `best === 0`: "\u2581:" (604, score null = 0) is overridden by "\u2581"+":" -> [30, 57]'),
    H('quirk-colon-smiley', ':)', '`best === 0` again: [30, 57, 52], not [658]'),
    H('quirk-space-colon-smiley', ' :)', 'with a leading space "\u2581:)" (658) wins after "\u2581"'),
    H('quirk-text-colon-smiley', 'good :)', 'after real text the null-score piece "\u2581:)" is used'),
    H('quirk-double-colon', '::'),
    H('quirk-url-scheme', '://', 'null-score piece "://" (255)'),
    H('quirk-paren-colon', '):', 'null-score piece "):" (4445)'),
    H('quirk-emoticon', ':-) and :( and :-(', 'at the start ":-)" splits into \u2581,:,-,) (the `best === 0` quirk); later "\u2581:(" (4258) and "\u2581:" (604) are used'),
    H('quirk-spaced-colon', 'Note : shares', 'null-score "\u2581:" inside text'),
    H('quirk-tie-333', '16,333', 'exact score tie "3"+"33" vs "33"+"3": `score >= best` keeps the later start -> "33","3"'),
    H('quirk-tie-555', 'UK demand rises to $3.555 billion', 'tie "55"+"5" vs "5"+"55"'),
    H('quirk-duplicate-piece', '\u201D5 and a\u201D5', 'piece "\u201D5" appears 3 times in the vocab (230, 238, 4464): the trie keeps the last -> 4464'),
    H('quirk-reserved-literals', '<s> </s> extra_token_id_1 <unk>', 'reserved ids 1..5 are never produced from text'),
    H('quirk-vocab-tail-chars', '\u2584\u2592\u2550\u2591\u25BA', 'last (lowest-score) vocabulary pieces'),
    H('quirk-repeats', 'aaa zzz eee ooo lll 0000000 1111 2222', 'repeated characters, several equal-length segmentations'),
    H('quirk-dots', '.... ..... ...... .', 'runs of dots vs the "\u2581..." piece'),
    H('quirk-long-word-a', 'a'.repeat(300), 'one 300-letter word: "\u2581" + 75 x "aaaa" (76 ids)'),
    H('quirk-long-word-q', 'q'.repeat(300), 'one 300-letter word: "\u2581" + 300 x "q" (301 ids, clipped to 128 by the graph)'),
    // --- length limits --------------------------------------------------------
    H('len-128-tokens', Array(128).fill('the').join(' '), 'exactly 128 tokens [9 x 128]'),
    H('len-129-tokens', Array(129).fill('the').join(' '), '129 tokens: the graph drops position 128, so the embedding equals len-128-tokens'),
    H('len-400-words', paragraph(400), '>128 tokens: the graph keeps positions 0..127 only'),
    H('len-5000-words', paragraph(5000, 5), 'far beyond 128 tokens (starts at another sentence than len-400-words)'),
  ];
}

// Batch cases: each computed in ONE executeAsync call.
function batchCases() {
  return [
    {
      name: 'batch/mixed',
      texts: [
        'Shares rose 4% after earnings.',
        'Bank of Japan keeps rates unchanged',
        '$NVDA',
        paragraph(300),
        'Oil prices fall as inventories build; Brent down 2.1% to $78.40 a barrel, WTI at $74.05.',
        'ok',
        'Caf\u00E9 chain \u{1F680} beats estimates \u2248 10% \u2014 \uFB01nal dividend \uFF11\uFF12p',
        'Management expects margins to recover in the second half of the fiscal year as costs ease.',
      ],
      note: 'one call; each row must equal the same text embedded alone',
    },
    {
      name: 'batch/empty-inside',
      texts: ['Profit warning hits shares', '', 'Dividend raised'],
      note: 'an empty text inside a batch gets the zero-token row (same vector as hard/empty)',
    },
    {
      name: 'batch/empty-last',
      texts: ['Profit warning hits shares', 'Dividend raised', ''],
      note: 'the graph sizes the batch as max(row index)+1: a trailing empty text gets NO row, so embeddings has fewer rows than texts',
    },
    {
      name: 'batch/all-empty',
      texts: ['', ''],
      note: 'no entries at all: the cpu backend returns ONE zero-token row for two texts',
    },
  ];
}

// ---------------------------------------------------------------------------
// Main.
// ---------------------------------------------------------------------------
async function main() {
  const opts = parseArgs(process.argv.slice(2));
  log(`finscore golden generator: ${USE_PKG}@${USE_VERSION}, tfjs ${TFJS_VERSION}, node ${process.versions.node}, ICU ${process.versions.icu} (Unicode ${process.versions.unicode})`);
  log(`shared: ${opts.shared}`);
  log(`out:    ${opts.out}`);

  // 1. Model files: verify every file against the sha256 list in PROVENANCE.md.
  const modelDir = path.join(opts.shared, 'models', 'use-lite');
  const prov = readShaList(path.join(modelDir, 'PROVENANCE.md'));
  for (const name of prov.keys()) checkSha(modelDir, name, prov);
  const vocabSha = prov.get('vocab.json');
  log(`model files match PROVENANCE.md (${prov.size} files)`);

  // 2. Tokenizer, constructed exactly as the package does: new Tokenizer(vocab).
  const vocab = JSON.parse(fs.readFileSync(path.join(modelDir, 'vocab.json'), 'utf8'));
  const tokenizer = new Tokenizer(vocab);

  // 3. Data: parse every CSV like Go's encoding/csv, check rows against MANIFESTs.
  log('reading data sets');
  const datasets = loadDatasets(opts.shared);

  // 4. reference_ids.txt.gz: ids of every distinct text (keyed by hash only).
  let tStart = Date.now();
  const byKey = new Map(); // key -> {text, ids}
  for (const ds of datasets) {
    for (const text of ds.texts) {
      const key = textKey(text);
      const prev = byKey.get(key);
      if (prev) {
        if (prev.text !== text) throw new Error(`64-bit hash collision between two texts (key ${key})`);
        continue;
      }
      byKey.set(key, { text, ids: tokenizer.encode(text) });
    }
  }
  const keys = [...byKey.keys()].sort();
  const idLines = [`# reference ids: ${USE_PKG}@${USE_VERSION} Tokenizer; vocab sha256 ${vocabSha}; ${keys.length} texts`];
  let maxLen = 0;
  let emptyIds = 0;
  for (const k of keys) {
    const ids = byKey.get(k).ids;
    maxLen = Math.max(maxLen, ids.length);
    if (ids.length === 0) emptyIds++;
    idLines.push(`${k}\t${ids.join(',')}`);
  }
  const idsFile = path.join(opts.out, 'core', 'tokenize', 'testdata', 'reference_ids.txt.gz');
  const idsGz = writeGzip(idsFile, idLines.join('\n') + '\n');
  log(`wrote ${path.relative(opts.out, idsFile)}: ${keys.length} distinct texts, longest ${maxLen} ids, ${emptyIds} empty, ${idsGz} bytes gzipped (${Date.now() - tStart} ms)`);
  byKey.clear();

  // 5. Choose the embedding cases: 300 sampled MIT sentences, hard cases, batches.
  const rand = mulberry32(SAMPLE_SEED);
  const sampled = [];
  const seenText = new Set();
  for (const { set, n } of SAMPLE_PLAN) {
    const ds = datasets.find((d) => d.id === set);
    if (!ds.mit) throw new Error(`refusing to sample non-MIT set ${set}`);
    // Partial Fisher-Yates over row indices; skip texts already taken (SEntFiN
    // repeats some titles) and empty texts.
    const idx = ds.texts.map((_, i) => i);
    const picked = [];
    for (let i = 0; i < idx.length && picked.length < n; i++) {
      const j = i + Math.floor(rand() * (idx.length - i));
      [idx[i], idx[j]] = [idx[j], idx[i]];
      const text = ds.texts[idx[i]];
      if (text === '' || seenText.has(text)) continue;
      seenText.add(text);
      picked.push(idx[i]);
    }
    picked.sort((a, b) => a - b);
    // Name: "<set>/<0-based data row index>" (row 0 is the first row after the header).
    for (const i of picked) sampled.push({ name: `${set}/${i}`, text: ds.texts[i] });
  }
  const hard = hardCases();
  const batches = batchCases();
  log(`embedding cases: ${sampled.length} sampled, ${hard.length} hard, ${batches.length} batch`);

  // 6. Embed on the cpu backend, every single case as a batch of one.
  const artifacts = modelArtifacts(modelDir);
  let model = await loadModelOn('cpu', artifacts);
  log(`model loaded on backend ${tf.getBackend()}`);
  const singles = [...hard, ...sampled];
  tStart = Date.now();
  const cpuResults = new Map();
  for (let i = 0; i < singles.length; i++) {
    const c = singles[i];
    const r = await embedLikeReference(model, tokenizer, [c.text]);
    cpuResults.set(c.name, r);
    if ((i + 1) % 50 === 0 || i + 1 === singles.length) log(`  cpu: ${i + 1}/${singles.length} embedded`);
  }
  const singleMs = Date.now() - tStart;
  log(`cpu single embeddings: ${singles.length} in ${singleMs} ms (${(singleMs / singles.length).toFixed(1)} ms each)`);

  // Batches: one executeAsync each; compare every row with the single result.
  const batchResults = new Map();
  for (const b of batches) {
    tStart = Date.now();
    const r = await embedLikeReference(model, tokenizer, b.texts);
    batchResults.set(b.name, r);
    let diff = 0;
    if (!r.error) {
      for (let i = 0; i < r.rows.length; i++) {
        const alone = await embedLikeReference(model, tokenizer, [b.texts[i]]);
        if (!alone.error) diff = Math.max(diff, maxAbsDiff(alone.rows[0], r.rows[i]));
      }
    }
    b.maxAbsDiffVsSingle = diff;
    log(`  ${b.name}: ${b.texts.length} texts -> ${r.error ? 'ERROR ' + r.error : r.rows.length + ' rows'}; max |batch - single| = ${diff.toExponential(3)} (${Date.now() - tStart} ms)`);
  }
  model.dispose();

  // 7. Cross-check on the wasm backend: all hard and batch cases plus the
  //    first N sampled sentences. The goldens themselves come from cpu.
  let wasmSummary = null;
  if (!opts.skipWasm) {
    model = await loadModelOn('wasm', artifacts);
    log(`model loaded on backend ${tf.getBackend()} (SIMD ${tf.env().getBool('WASM_HAS_SIMD_SUPPORT')}, threads ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')})`);
    const subset = [...hard, ...sampled.slice(0, opts.wasmSample)];
    let worst = 0;
    let worstName = '';
    let compared = 0;
    const errors = [];
    tStart = Date.now();
    for (const c of subset) {
      const w = await embedLikeReference(model, tokenizer, [c.text]);
      const cpu = cpuResults.get(c.name);
      if (w.error || cpu.error) {
        c.wasm = w.error ? { error: w.error } : { rows: w.rows.length };
        errors.push(`${c.name}: wasm ${w.error ? 'threw "' + w.error + '"' : 'ok'}, cpu ${cpu.error ? 'threw' : 'ok'}`);
        continue;
      }
      const d = maxAbsDiff(cpu.rows[0], w.rows[0]);
      c.wasmMaxAbsDiff = d;
      compared++;
      if (d > worst) { worst = d; worstName = c.name; }
    }
    for (const b of batches) {
      const w = await embedLikeReference(model, tokenizer, b.texts);
      const cpu = batchResults.get(b.name);
      if (w.error || cpu.error || w.rows.length !== cpu.rows.length) {
        b.wasm = w.error ? { error: w.error } : { rows: w.rows.length };
        errors.push(`${b.name}: wasm ${w.error ? 'threw "' + w.error + '"' : w.rows.length + ' rows'}, cpu ${cpu.error ? 'threw' : cpu.rows.length + ' rows'}`);
        continue;
      }
      let d = 0;
      for (let i = 0; i < w.rows.length; i++) d = Math.max(d, maxAbsDiff(cpu.rows[i], w.rows[i]));
      b.wasmMaxAbsDiff = d;
      compared++;
      if (d > worst) { worst = d; worstName = b.name; }
    }
    const wasmMs = Date.now() - tStart;
    wasmSummary = { compared, worst, worstName, errors, ms: wasmMs };
    log(`wasm vs cpu: ${compared} cases compared in ${wasmMs} ms, max abs diff ${worst.toExponential(3)} (${worstName})`);
    for (const e of errors) log(`  wasm/cpu difference in behaviour: ${e}`);
    model.dispose();
  }

  // 8. reference_embeddings.jsonl.gz. Field order is fixed; floats are the
  //    shortest strings that round-trip float32.
  const lines = [];
  const record = (c, r) => {
    let s = `{"name":${JSON.stringify(c.name)},"text":${JSON.stringify(c.text)},"ids":${JSON.stringify(r.ids[0])}`;
    if (r.error) s += `,"error":${JSON.stringify(r.error)}`;
    else {
      if (r.rows.length !== 1) throw new Error(`${c.name}: expected 1 row, got ${r.rows.length}`);
      s += `,"embedding":${vecJson(r.rows[0])}`;
    }
    if (c.note) s += `,"note":${JSON.stringify(c.note)}`;
    if (c.wasmMaxAbsDiff !== undefined) s += `,"wasm_max_abs_diff":${num3(c.wasmMaxAbsDiff)}`;
    if (c.wasm && c.wasm.error) s += `,"wasm_error":${JSON.stringify(c.wasm.error)}`;
    return s + '}';
  };
  for (const c of hard) lines.push(record(c, cpuResults.get(c.name)));
  for (const c of sampled) lines.push(record(c, cpuResults.get(c.name)));
  for (const b of batches) {
    const r = batchResults.get(b.name);
    let s = `{"name":${JSON.stringify(b.name)},"texts":${JSON.stringify(b.texts)},"ids":${JSON.stringify(r.ids)}`;
    if (r.error) s += `,"error":${JSON.stringify(r.error)}`;
    else s += `,"embeddings":[${r.rows.map(vecJson).join(',')}]`;
    s += `,"note":${JSON.stringify(b.note)}`;
    s += `,"max_abs_diff_vs_single":${num3(b.maxAbsDiffVsSingle)}`;
    if (b.wasmMaxAbsDiff !== undefined) s += `,"wasm_max_abs_diff":${num3(b.wasmMaxAbsDiff)}`;
    if (b.wasm && b.wasm.error) s += `,"wasm_error":${JSON.stringify(b.wasm.error)}`;
    lines.push(s + '}');
  }
  const embFile = path.join(opts.out, 'core', 'encoder', 'testdata', 'reference_embeddings.jsonl.gz');
  const embGz = writeGzip(embFile, lines.join('\n') + '\n');
  log(`wrote ${path.relative(opts.out, embFile)}: ${lines.length} lines, ${embGz} bytes gzipped`);

  // 9. Summary of the reference behaviours worth knowing when porting.
  const show = (name) => {
    const r = cpuResults.get(name);
    return `${name}: ids ${JSON.stringify(r.ids[0]).slice(0, 80)}${r.error ? ' ERROR ' + r.error : ''}`;
  };
  log('selected reference behaviours:');
  for (const n of ['hard/empty', 'hard/whitespace', 'hard/tab-newline', 'hard/unknown-run', 'hard/quirk-colon', 'hard/quirk-tie-333', 'hard/quirk-duplicate-piece']) log(`  ${show(n)}`);
  const e128 = cpuResults.get('hard/len-128-tokens');
  const e129 = cpuResults.get('hard/len-129-tokens');
  log(`  128 vs 129 tokens: max abs diff ${maxAbsDiff(e128.rows[0], e129.rows[0])}`);
  log(`done in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
