const endpoints = [
  ["App Router, Node.js runtime", "/api/webhooks/colivara"],
  ["App Router, Edge runtime", "/api/edge/webhooks/colivara"],
  ["Pages Router", "/api/pages-router/webhooks/colivara"],
];

export default function Home() {
  return (
    <main>
      <h1>ColiVara webhook receiver</h1>
      <p>
        Register one of these URLs with ColiVara and set <code>COLIVARA_WEBHOOK_SECRET</code>. Each verified delivery is
        logged as one JSON line.
      </p>
      <ul>
        {endpoints.map(([label, path]) => (
          <li key={path}>
            {label}: <code>POST {path}</code>
          </li>
        ))}
      </ul>
    </main>
  );
}
