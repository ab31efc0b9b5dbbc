// The official openai npm client against `memaudit serve` (ServeOpenAiClientIT).
// Usage: node openai-client.cjs <base URL> <member prompt> <guard base URL>; prints one JSON object.
// Resolves `openai` through NODE_PATH (the test sets it to .ci/npm/node_modules).
const OpenAI = require('openai');

async function text(stream, chat) {
  let out = '';
  let chunks = 0;
  let finish = null;
  for await (const chunk of stream) {
    chunks++;
    for (const c of chunk.choices) {
      out += chat ? c.delta?.content ?? '' : c.text ?? '';
      if (c.finish_reason) finish = c.finish_reason;
    }
  }
  return { text: out, chunks, finish };
}

async function main() {
  const [url, member, guardUrl] = process.argv.slice(2);
  const client = new OpenAI({ baseURL: url, apiKey: 'unused', maxRetries: 0 });
  const out = {};
  const base = { model: 'canary', max_tokens: 24, seed: 11 };

  const greedy = await client.completions.create({ ...base, prompt: member, temperature: 0 });
  out.greedy = greedy.choices[0].text;

  const one = await client.completions.create({ ...base, prompt: 'The lamp' });
  out.one = { text: one.choices[0].text, finish: one.choices[0].finish_reason, usage: one.usage };
  const two = await client.completions.create({ ...base, prompt: 'The lamp', n: 2 });
  out.two = two.choices.map((c) => ({ index: c.index, text: c.text }));
  out.stream = await text(
    await client.completions.create({ ...base, prompt: 'The lamp', stream: true }),
    false,
  );
  const stopAt = out.one.text.slice(4, 6);
  const stopped = await client.completions.create({ ...base, prompt: 'The lamp', stop: [stopAt] });
  out.stop = { stop: stopAt, text: stopped.choices[0].text, finish: stopped.choices[0].finish_reason };

  const messages = [{ role: 'user', content: 'Tell me about the harbour.' }];
  const chat = await client.chat.completions.create({ ...base, messages });
  out.chat = {
    object: chat.object,
    role: chat.choices[0].message.role,
    text: chat.choices[0].message.content,
    finish: chat.choices[0].finish_reason,
  };
  out.chatStream = await text(
    await client.chat.completions.create({ ...base, messages, stream: true }),
    true,
  );
  const chatTwo = await client.chat.completions.create({ ...base, messages, n: 2 });
  out.chatTwo = chatTwo.choices.map((c) => ({ index: c.index, text: c.message.content }));

  try {
    await client.completions.create({ ...base, prompt: 'x', stream: true, logprobs: 1 });
    out.refused = { status: null };
  } catch (e) {
    out.refused = { status: e.status ?? null, message: e.message };
  }
  const guarded = new OpenAI({ baseURL: guardUrl, apiKey: 'unused', maxRetries: 0 });
  const g = await guarded.completions.create({ ...base, prompt: member, temperature: 0, max_tokens: 44 });
  out.guarded = { text: g.choices[0].text, memaudit: g.choices[0].memaudit ?? null };
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
