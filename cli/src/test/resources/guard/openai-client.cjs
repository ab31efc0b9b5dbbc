// The official openai npm client against `memaudit guard` (GuardOpenAiClientIT).
// Usage: node openai-client.cjs <annotate base URL> <block base URL>; prints one JSON object.
// Resolves `openai` through NODE_PATH (the test sets it to .ci/npm/node_modules).
const OpenAI = require('openai');

async function main() {
  const [annotateUrl, blockUrl] = process.argv.slice(2);
  const client = new OpenAI({ baseURL: annotateUrl, apiKey: 'unused', maxRetries: 0 });
  const blocking = new OpenAI({ baseURL: blockUrl, apiKey: 'unused', maxRetries: 0 });
  const out = {};

  const c = await client.completions.create({ model: 'test-model', prompt: 'MEMBER', max_tokens: 500 });
  out.completion = { text: c.choices[0].text, memaudit: c.choices[0].memaudit ?? null };

  const { data: n, response } = await client.completions
    .create({ model: 'test-model', prompt: 'buses', max_tokens: 500 })
    .withResponse();
  out.nonMember = {
    text: n.choices[0].text,
    memaudit: n.choices[0].memaudit ?? null,
    header: response.headers.get('x-memaudit-matches'),
  };

  const ch = await client.chat.completions.create({
    model: 'test-model',
    messages: [{ role: 'user', content: 'MEMBER please' }],
  });
  out.chat = { text: ch.choices[0].message.content, memaudit: ch.choices[0].memaudit ?? null };

  // streams: the position of each memaudit chunk among the chunks, and the text
  for (const [name, chat] of [['completionStream', false], ['chatStream', true]]) {
    const stream = chat
      ? await client.chat.completions.create({
          model: 'test-model',
          messages: [{ role: 'user', content: 'MEMBER' }],
          stream: true,
        })
      : await client.completions.create({ model: 'test-model', prompt: 'MEMBER', stream: true });
    let text = '';
    let chunks = 0;
    const matchesAt = [];
    let final = null;
    for await (const chunk of stream) {
      chunks++;
      for (const choice of chunk.choices) {
        if (choice.memaudit) {
          matchesAt.push({ chunk: chunks, textSoFar: text.length });
          if (choice.memaudit.final) final = choice.memaudit;
        }
        text += chat ? choice.delta?.content ?? '' : choice.text ?? '';
      }
    }
    out[name] = { text, chunks, matchesAt, final };
  }

  try {
    await blocking.completions.create({ model: 'test-model', prompt: 'MEMBER' });
    out.blocked = { status: null };
  } catch (e) {
    out.blocked = { status: e.status ?? null, type: e.error?.type ?? e.type ?? null, message: e.message };
  }
  try {
    const s = await blocking.chat.completions.create({
      model: 'test-model',
      messages: [{ role: 'user', content: 'MEMBER' }],
      stream: true,
    });
    let text = '';
    for await (const chunk of s) text += chunk.choices[0]?.delta?.content ?? '';
    out.blockedStream = { error: null, text };
  } catch (e) {
    out.blockedStream = { error: e.error?.type ?? e.type ?? String(e), message: e.message };
  }
  console.log(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
