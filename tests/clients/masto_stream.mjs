// Receives one post over Canteen's WebSocket streaming with masto (npm), unchanged.
// Usage: node masto_stream.mjs BASE_URL ACCESS_TOKEN TEXT
// Prints "ready" once subscribed, then "masto: ok <id>" when an `update` whose content
// contains TEXT arrives on the user stream; exits 2 after 20 s without one.
import { createStreamingAPIClient } from "masto";

const [base, token, expected] = process.argv.slice(2);
const masto = createStreamingAPIClient({
  streamingApiUrl: base.replace(/^http/, "ws"),
  accessToken: token,
  retry: false,
});
const timer = setTimeout(() => {
  console.error("masto: no update within 20 s");
  process.exit(2);
}, 20000);
const subscription = masto.user.subscribe();
setTimeout(() => console.log("ready"), 300);
for await (const event of subscription) {
  if (event.event === "update" && event.payload.content.includes(expected)) {
    console.log(`masto: ok ${event.payload.id}`);
    clearTimeout(timer);
    subscription.unsubscribe();
    process.exit(0);
  }
}
