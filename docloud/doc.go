// Package docloud is DigitalOcean logic beyond godo: app specs and
// cloud-init, the droplet image choice, pricing, logs, finding what the bot
// created, and the raw calls godo has no method for. It knows nothing of
// chat, commands or the store; it talks to DigitalOcean through godo's own
// service interfaces. Its sub-packages add App Platform's specs from Git
// and from text (appspec) and an app's day-two changes (daytwo).
package docloud
