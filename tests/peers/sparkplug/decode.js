// Decodes Sparkplug B payloads with the independent npm `sparkplug-payload` decoder (Eclipse Tahu's JavaScript
// library). Input: one hex-encoded payload per line on stdin. Output: one JSON object per line, 64-bit numbers as
// plain numbers (or strings when they do not fit), in the same order. Used by tests/EdgeAgent.Tests/Mqtt/SparkplugTests.
'use strict';
const path = require('path');
const sparkplug = require(path.join(__dirname, '..', 'node_modules', 'sparkplug-payload')).get('spBv1.0');
const readline = require('readline');

function plain(value) {
  if (value === null || value === undefined) return value;
  if (typeof value === 'object' && typeof value.toNumber === 'function' && 'low' in value && 'high' in value) {
    const n = value.toNumber();
    return Number.isSafeInteger(n) ? n : value.toString();
  }
  if (typeof value === 'bigint') return Number(value);
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) return Buffer.from(value).toString('hex');
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = plain(v);
    return out;
  }
  return value;
}

const rl = readline.createInterface({ input: process.stdin });
rl.on('line', (line) => {
  const hex = line.trim();
  if (!hex) return;
  try {
    process.stdout.write(JSON.stringify(plain(sparkplug.decodePayload(Buffer.from(hex, 'hex')))) + '\n');
  } catch (e) {
    process.stdout.write(JSON.stringify({ error: String(e && e.message || e) }) + '\n');
  }
});
