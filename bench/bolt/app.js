// A minimal Bolt for JavaScript app, written as a new user of Bolt would
// write it: Socket Mode, one /do command that acks at once and answers
// `/do status` privately with chat.postEphemeral, as dobot does. It is the
// peer dobot is measured against in bench/peer_test.go, not a product.
//
// Environment:
//   SLACK_BOT_TOKEN  the bot token (xoxb-…)
//   SLACK_APP_TOKEN  the app-level token for apps.connections.open (xapp-…)
//   SLACK_API_URL    the Web API base URL with its trailing slash; the
//                    bench points it at internal/slacktest, whose
//                    apps.connections.open hands out its own websocket URL.
'use strict';

const { App } = require('@slack/bolt');

for (const name of ['SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN']) {
  if (!process.env[name]) {
    console.error(`${name} is not set`);
    process.exit(2);
  }
}

const clientOptions = {};
if (process.env.SLACK_API_URL) {
  clientOptions.slackApiUrl = process.env.SLACK_API_URL;
}

const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  appToken: process.env.SLACK_APP_TOKEN,
  socketMode: true,
  // Bolt hands clientOptions to the Socket Mode client's own WebClient
  // too, so apps.connections.open goes to the same base URL.
  clientOptions,
});

// dobot's answer to `/do status` on a bot that manages no apps.
const noApps = 'The bot manages no apps yet. Launch one with `/do launch NAME --image REF`.';

app.command('/do', async ({ command, ack, client, logger }) => {
  await ack();
  const words = command.text.trim().split(/\s+/).filter(Boolean);
  const text = words.length === 1 && words[0] === 'status'
    ? noApps
    : 'This peer knows only `/do status`.';
  try {
    await client.chat.postEphemeral({ channel: command.channel_id, user: command.user_id, text });
  } catch (err) {
    logger.error(`chat.postEphemeral: ${err.message}`);
  }
});

(async () => {
  await app.start();
})().catch((err) => {
  console.error(`start: ${err.message}`);
  process.exit(1);
});

process.on('SIGTERM', () => {
  app.stop().finally(() => process.exit(0));
});
