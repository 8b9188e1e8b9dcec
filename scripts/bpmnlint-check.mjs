// Lints one BPMN document read from stdin with bpmnlint's recommended rules.
// Prints a JSON array [{element, message, rule, category}] on stdout; exit 0 even when rules report,
// exit 2 with the reason on stderr when the XML cannot be read at all.
// Called by workflows/processes/deployment.py (python) for the API, the CLI and the editor page.
import { createRequire } from 'node:module';
import { BpmnModdle } from 'bpmn-moddle';

const require = createRequire(import.meta.url);
const { Linter } = require('bpmnlint');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');
const camundaPackage = require('camunda-bpmn-moddle/resources/camunda.json');

const config = {
  extends: 'bpmnlint:recommended',
  rules: {
    // SpiffWorkflow runs inclusive gateways; the rule only warns that some engines do not.
    'no-inclusive-gateway': 'off'
  }
};

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

// <incoming>/<outgoing> are optional in BPMN and the engine does not need them; bpmn-js fills them in from
// the sequence flows when it imports a diagram, and so must we, or every hand-written diagram is "disconnected".
function linkSequenceFlows(elements) {
  for (const flow of elements.filter((element) => element.$type === 'bpmn:SequenceFlow')) {
    for (const [node, side] of [[flow.sourceRef, 'outgoing'], [flow.targetRef, 'incoming']]) {
      if (!node) continue;
      node.set(side, node.get(side));
      if (!node.get(side).includes(flow)) node.get(side).push(flow);
    }
  }
}

async function main() {
  const xml = await readStdin();
  const moddle = new BpmnModdle({ camunda: camundaPackage });
  let definitions, elementsById;
  try {
    ({ rootElement: definitions, elementsById } = await moddle.fromXML(xml, 'bpmn:Definitions'));
  } catch (error) {
    process.stderr.write(`cannot read BPMN: ${error.message}\n`);
    process.exit(2);
  }
  linkSequenceFlows(Object.values(elementsById));
  const linter = new Linter({ config, resolver: new NodeResolver() });
  const results = await linter.lint(definitions);
  const problems = [];
  for (const [rule, reports] of Object.entries(results)) {
    for (const report of reports) {
      problems.push({ element: report.id || null, message: report.message, rule, category: report.category });
    }
  }
  process.stdout.write(JSON.stringify(problems));
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(3);
});
