// A Fedify peer for canteen-federation's interop test (tests/fedify_peer.rs).
//
// Reads a JSON array of operations on stdin and prints a JSON array of results:
//   {"op": "sign", "spec": "rfc9421" | "draft-cavage-http-signatures-12", "privateKeyPem": PKCS#8,
//    "keyId", "method", "url", "headers": {…}, "body": string | null}
//     -> {"headers": {…}}  (the request headers after Fedify's signRequest)
//   {"op": "verify", "keyId", "owner", "publicKeyPem": SPKI, "method", "url", "headers", "body"}
//     -> {"verified": bool, "keyId": string | null}  (Fedify's verifyRequest)
// The key document for verification is served by an in-memory document loader: no network.
import { signRequest, verifyRequest } from "@fedify/fedify";

function pemToDer(pem) {
  const b64 = pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, "").replace(/\s+/g, "");
  return Uint8Array.from(Buffer.from(b64, "base64"));
}

const RSA = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };

function request(op) {
  return new Request(op.url, {
    method: op.method,
    headers: op.headers,
    body: op.body == null ? undefined : op.body,
  });
}

async function sign(op) {
  const key = await crypto.subtle.importKey("pkcs8", pemToDer(op.privateKeyPem), RSA, true, ["sign"]);
  const signed = await signRequest(request(op), key, new URL(op.keyId), { spec: op.spec });
  return { headers: Object.fromEntries(signed.headers.entries()) };
}

async function verify(op) {
  const keyDocument = {
    "@context": "https://w3id.org/security/v1",
    id: op.keyId,
    type: "CryptographicKey",
    owner: op.owner,
    publicKeyPem: op.publicKeyPem,
  };
  const documentLoader = async (url) => {
    if (url !== op.keyId && url !== op.keyId.split("#")[0]) throw new Error(`unexpected fetch of ${url}`);
    return { contextUrl: null, documentUrl: op.keyId, document: keyDocument };
  };
  const key = await verifyRequest(request(op), { documentLoader });
  return { verified: key != null, keyId: key?.id?.href ?? null };
}

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const ops = JSON.parse(Buffer.concat(chunks).toString("utf8"));
const results = [];
for (const op of ops) {
  try {
    results.push(op.op === "sign" ? await sign(op) : await verify(op));
  } catch (error) {
    results.push({ error: String(error?.stack ?? error) });
  }
}
process.stdout.write(JSON.stringify(results));
