// Reads one JSON string per line on stdin, writes twitter-text's weightedLength for it per line.
// The test suite runs this as the reference for X's counting (official twitter-text v3).
"use strict";
const readline = require("readline");
const twitter = require("twitter-text");

const lines = readline.createInterface({ input: process.stdin, terminal: false });
lines.on("line", (line) => {
  const text = JSON.parse(line);
  process.stdout.write(twitter.parseTweet(text).weightedLength + "\n");
});
