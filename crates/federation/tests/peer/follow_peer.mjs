// A Fedify peer that follows a Canteen account, for crates/canteen/tests/federation.rs.
//
// Environment: CANTEEN_ACTOR (the account to follow), CANTEEN_INBOX (where to send the
// Follow), SIGN_SPEC ("rfc9421" or "draft-cavage-http-signatures-12").
//
// 1. Serves an actor document (with a fresh RSA key) and an inbox over http on a loopback port.
// 2. Sends a Follow signed with Fedify's signRequest; prints {"followStatus", "body", "actor"}.
// 3. Waits for a POST to its inbox, verifies it with Fedify's verifyRequest (fetching Canteen's
//    actor document directly: Fedify's own loader refuses loopback addresses), and prints
//    {"verified", "keyId", "signatureInput", "activity"}. Then exits.
// Every printed line is one JSON object.
import { createServer } from "node:http";
import { signRequest, verifyRequest } from "@fedify/fedify";

const canteenActor = process.env.CANTEEN_ACTOR;
const canteenInbox = process.env.CANTEEN_INBOX;
const spec = process.env.SIGN_SPEC ?? "rfc9421";
const AP = "application/activity+json";

const { privateKey, publicKey } = await crypto.subtle.generateKey(
  { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
  true,
  ["sign", "verify"],
);
const spki = Buffer.from(await crypto.subtle.exportKey("spki", publicKey)).toString("base64");
const publicKeyPem = `-----BEGIN PUBLIC KEY-----\n${spki.match(/.{1,64}/g).join("\n")}\n-----END PUBLIC KEY-----\n`;

let base;
let resolveDelivery;
const delivery = new Promise((resolve) => (resolveDelivery = resolve));

// Canteen's documents live on loopback too; fetch them directly.
const documentLoader = async (url) => {
  const res = await fetch(url, { headers: { accept: AP } });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return { contextUrl: null, documentUrl: url, document: await res.json() };
};

const server = createServer(async (req, res) => {
  const actor = `${base}/users/peer`;
  if (req.method === "GET" && req.url === "/users/peer") {
    res.writeHead(200, { "content-type": AP });
    res.end(JSON.stringify({
      "@context": ["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"],
      id: actor,
      type: "Person",
      preferredUsername: "fedify",
      name: "Fedify peer",
      inbox: `${actor}/inbox`,
      followers: `${actor}/followers`,
      publicKey: { id: `${actor}#main-key`, owner: actor, publicKeyPem },
    }));
    return;
  }
  if (req.method === "POST" && req.url === "/users/peer/inbox") {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString("utf8");
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) headers.set(name, String(value));
    const request = new Request(`${base}${req.url}`, { method: "POST", headers, body });
    let key = null;
    let error = null;
    try {
      key = await verifyRequest(request, { documentLoader });
    } catch (e) {
      error = String(e?.stack ?? e);
    }
    res.writeHead(key == null ? 401 : 202);
    res.end();
    resolveDelivery({
      verified: key != null,
      keyId: key?.id?.href ?? null,
      signatureInput: headers.has("signature-input"),
      activity: JSON.parse(body),
      error,
    });
    return;
  }
  res.writeHead(404);
  res.end();
});

await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
base = `http://127.0.0.1:${server.address().port}`;
const actor = `${base}/users/peer`;

const follow = {
  "@context": "https://www.w3.org/ns/activitystreams",
  id: `${actor}/follows/1`,
  type: "Follow",
  actor,
  object: canteenActor,
};
const unsigned = new Request(canteenInbox, {
  method: "POST",
  headers: { "content-type": AP },
  body: JSON.stringify(follow),
});
const signed = await signRequest(unsigned, privateKey, new URL(`${actor}#main-key`), { spec });
const answer = await fetch(signed);
console.log(JSON.stringify({ followStatus: answer.status, body: await answer.text(), actor }));

const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("no delivery within 60 s")), 60_000));
const received = await Promise.race([delivery, timeout]);
console.log(JSON.stringify(received));
server.close();
process.exit(0);
