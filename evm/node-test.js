#!/usr/bin/env node
// End-to-end on a real Ethereum node: starts `hardhat node` (hard fork Osaka, as mainnet) on
// 127.0.0.1, deploys the Verifier.sol that `zkinfer solidity` wrote (compiled here with solcjs,
// optimizer on) with its key hash, calls verifyProof with the calldata `zkinfer calldata` wrote,
// checks that a tampered proof is rejected, that too little gas fails the call, that the
// constructor refuses a wrong key, that modexp costs EIP-7883's price, and stops the node. Usage:
// node evm/node-test.js DIR [HASHED] (DIR holds Verifier.sol and calldata.hex; HASHED, a model
// with hashed parameters, also ModelRegistry.sol and settings.json: the registry is deployed and
// checked against it). GROTH16, a directory with Groth16Verifier.sol and calldata.hex
// (examples/groth16_export.rs): the Groth16 verifier is deployed and checked too.
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const solc = require('solc');
const { ethers } = require('ethers');

const dir = process.argv[2];
const hashedDir = process.argv[3];
const groth16Dir = process.argv[4];
if (!dir) {
  console.error('usage: node evm/node-test.js DIR');
  process.exit(1);
}
const PORT = 8545 + Math.floor(Math.random() * 1000);
const URL = `http://127.0.0.1:${PORT}`;

function compile(source, file = 'Verifier.sol') {
  const input = {
    language: 'Solidity',
    sources: { [file]: { content: source } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      viaIR: true,
      outputSelection: { '*': { '*': ['evm.bytecode.object', 'evm.deployedBytecode.object'] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors || []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  return out.contracts[file];
}

const VERIFIER_ABI = [
  'constructor(bytes32 expectedKeyHash, address k0, address k1, address k2, address k3)',
  'function verifyProof(bytes proof, uint256[] instances) view returns (bool)',
  'function keyHash() view returns (bytes32)',
  'function modelId() view returns (uint256)',
];

// Deploys the key contracts of a `zkinfer solidity` output (compiled: `contracts`), then its verifier.
async function deployVerifier(source, contracts, provider, signer) {
  const keyNames = Object.keys(contracts)
    .filter((n) => n.startsWith('ZkinferVerifyingKey'))
    .sort((a, b) => Number(a.slice(19)) - Number(b.slice(19)));
  const keys = [];
  const sizes = [];
  for (const name of keyNames) {
    const key = await new ethers.ContractFactory([], '0x' + contracts[name].evm.bytecode.object, signer).deploy();
    await key.waitForDeployment();
    keys.push(await key.getAddress());
    sizes.push(((await provider.getCode(keys[keys.length - 1])).length - 2) / 2);
  }
  while (keys.length < 4) keys.push(ethers.ZeroAddress);
  const keyHash = source.match(/bytes32 constant ZKINFER_KEY_HASH = (0x[0-9a-f]{64});/)[1];
  const factory = new ethers.ContractFactory(VERIFIER_ABI, '0x' + contracts.ZkinferVerifier.evm.bytecode.object, signer);
  const verifier = await factory.deploy(keyHash, ...keys);
  await verifier.waitForDeployment();
  return { verifier, factory, keys, sizes, keyHash };
}

// The hashed model's verifier and the registry, compiled before the node starts (a compile
// takes longer than the node keeps an idle connection open).
function compileRegistry() {
  const source = fs.readFileSync(path.join(hashedDir, 'Verifier.sol'), 'utf8');
  const registry = fs.readFileSync(path.join(hashedDir, 'ModelRegistry.sol'), 'utf8');
  return { source, contracts: compile(source), reg: compile(registry, 'ModelRegistry.sol').ModelRegistry };
}

// examples/ModelRegistry.sol on the node: a model with hashed parameters registered by its id;
// its verifier pins the id; its honest proof accepted through the registry, a changed output
// and an unknown id refused.
async function registryTests(compiled, provider, signer, check) {
  const { verifier } = await deployVerifier(compiled.source, compiled.contracts, provider, signer);
  const reg = compiled.reg;
  const abi = [
    'function register(uint256 modelId, address verifier, string uri)',
    'function verify(uint256 modelId, bytes proof, uint256[] instances) view returns (bool)',
    'function modelOf(uint256 modelId) view returns (address, address, string)',
  ];
  const registry = await new ethers.ContractFactory(abi, '0x' + reg.evm.bytecode.object, signer).deploy();
  await registry.waitForDeployment();
  const modelId = BigInt(JSON.parse(fs.readFileSync(path.join(hashedDir, 'settings.json'), 'utf8')).model_id);
  const calldata = fs.readFileSync(path.join(hashedDir, 'calldata.hex'), 'utf8').trim();
  const [proof, instances] = new ethers.Interface(VERIFIER_ABI).decodeFunctionData('verifyProof', calldata);
  check('instance 0 of the hashed model is its model id', instances[0] === modelId);
  // The key pins the id: modelId() returns it, as the source's constant says, and the verifier
  // itself refuses a proof claiming another id.
  const pinned = BigInt(compiled.source.match(/uint256 constant ZKINFER_MODEL_ID = (0x[0-9a-f]{64});/)[1]);
  check('the verifier pins the model id', (await verifier.modelId()) === modelId && pinned === modelId);
  const otherId = [...instances];
  otherId[0] = otherId[0] + 1n;
  check('the verifier refuses another model id', (await verifier.verifyProof(proof, otherId)) === false);
  const rtx = await registry.register(modelId, await verifier.getAddress(), 'ipfs://two_inputs');
  check('the model registers', (await rtx.wait()).status === 1);
  check('the registry accepts its honest proof', (await registry.verify(modelId, proof, [...instances])) === true);
  const changed = [...instances];
  changed[1] = changed[1] + 1n;
  check('the registry refuses a changed output', (await registry.verify(modelId, proof, changed)) === false);
  let unknown;
  try {
    unknown = await registry.verify(modelId + 1n, proof, [...instances]);
  } catch (e) {
    unknown = 'reverted';
  }
  check('an unregistered id reverts', unknown === 'reverted', String(unknown));
  let again;
  try {
    await (await registry.register(modelId, await verifier.getAddress(), 'again')).wait();
    again = 'registered';
  } catch (e) {
    again = 'reverted';
  }
  check('an id registers once', again === 'reverted', again);
}

// The Groth16 verifier on the node: deployed under EIP-170, the honest proof accepted (as a
// call and as a transaction), a flipped proof byte and a changed packed word refused.
async function groth16Tests(compiled, provider, signer, check) {
  const abi = ['function verifyProof(bytes proof, uint256[] instances) view returns (bool)'];
  const factory = new ethers.ContractFactory(abi, '0x' + compiled.contract.evm.bytecode.object, signer);
  const verifier = await factory.deploy();
  await verifier.waitForDeployment();
  const to = await verifier.getAddress();
  const size = ((await provider.getCode(to)).length - 2) / 2;
  check('the Groth16 verifier deploys under EIP-170', size <= 24576, `${size} B`);
  const iface = new ethers.Interface(abi);
  const verdict = async (data) => iface.decodeFunctionResult('verifyProof', await provider.call({ to, data }))[0];
  check('the Groth16 verifier accepts the honest proof', (await verdict(compiled.calldata)) === true);
  const receipt = await (await signer.sendTransaction({ to, data: compiled.calldata })).wait();
  check('Groth16 verifyProof as a transaction', receipt.status === 1, `gas ${receipt.gasUsed}`);
  const bytes = ethers.getBytes(compiled.calldata);
  bytes[4 + 96 + 40] ^= 1;
  check('the Groth16 verifier rejects a tampered proof', (await verdict(ethers.hexlify(bytes))) === false);
  const [proof, words] = iface.decodeFunctionData('verifyProof', compiled.calldata);
  const changed = [...words];
  changed[changed.length - 1] += 1n;
  const other = iface.encodeFunctionData('verifyProof', [proof, changed]);
  check('the Groth16 verifier rejects a changed public word', (await verdict(other)) === false);
}

function compileGroth16() {
  const source = fs.readFileSync(path.join(groth16Dir, 'Groth16Verifier.sol'), 'utf8');
  const contract = compile(source, 'Groth16Verifier.sol').ZkinferGroth16Verifier;
  const calldata = fs.readFileSync(path.join(groth16Dir, 'calldata.hex'), 'utf8').trim();
  return { contract, calldata };
}

async function waitForNode(provider) {
  const deadline = Date.now() + 60000;
  for (;;) {
    try {
      await provider.getBlockNumber();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`node did not start on ${URL}`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

async function main() {
  const source = fs.readFileSync(path.join(dir, 'Verifier.sol'), 'utf8');
  const contracts = compile(source);
  const hashed = hashedDir ? compileRegistry() : null;
  const g16 = groth16Dir ? compileGroth16() : null;
  const calldata = fs.readFileSync(path.join(dir, 'calldata.hex'), 'utf8').trim();
  const hardhat = path.join(__dirname, 'node_modules', '.bin', 'hardhat');
  const node = spawn(hardhat, ['node', '--hostname', '127.0.0.1', '--port', String(PORT)], {
    cwd: __dirname,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  let passed = 0;
  let failed = 0;
  const check = (name, ok, detail) => {
    console.log(`${ok ? 'ok' : 'FAILED'} - ${name}${detail ? ` (${detail})` : ''}`);
    if (ok) passed++;
    else failed++;
  };
  try {
    const provider = new ethers.JsonRpcProvider(URL, 31337, { staticNetwork: true });
    await waitForNode(provider);
    const signer = await provider.getSigner(0);
    const hardfork = require('./hardhat.config.js').networks.hardhat.hardfork;
    console.log(`hardhat ${require('hardhat/package.json').version}, hard fork ${hardfork}`);
    // The key is split into ZkinferVerifyingKey0, 1, ... (each under EIP-170), deployed in
    // order; the verifier's constructor checks them against the key hash `zkinfer solidity` wrote.
    const { verifier, factory, keys, sizes, keyHash } = await deployVerifier(source, contracts, provider, signer);
    const abi = VERIFIER_ABI;
    const to = await verifier.getAddress();
    const verifierSize = ((await provider.getCode(to)).length - 2) / 2;
    check(
      'verifier and key contracts deploy under EIP-170',
      verifierSize <= 24576 && sizes.every((s) => s <= 24576),
      `verifier ${verifierSize} B, key ${sizes.join(' + ')} B`,
    );
    check('the verifier records its key hash', (await verifier.keyHash()) === keyHash, keyHash);
    // The revert data of a deployment that must fail (null if it succeeds).
    const refusal = async (args) => {
      try {
        const c = await factory.deploy(...args);
        await c.waitForDeployment();
        return null;
      } catch (e) {
        return e.data || e.message;
      }
    };
    const otherHash = ethers.keccak256(ethers.toUtf8Bytes('another model'));
    const mismatch = await refusal([otherHash, ...keys]);
    check('a verifier for another key hash is not deployed', /^0x87f48344/.test(mismatch), `${mismatch}`.slice(0, 10));
    const noCode = ethers.getAddress('0x' + '42'.repeat(20));
    const missing = await refusal([keyHash, noCode, ...keys.slice(1)]);
    check('a key address without code is refused', /^0x77b05240/.test(missing), `${missing}`.slice(0, 10));

    const iface = new ethers.Interface(abi);
    // EIP-7825 caps a transaction's gas at 2^24 under Osaka.
    const GAS = 16777216;
    const result = await provider.call({ to, data: calldata, gasLimit: GAS });
    check('verifyProof accepts the honest proof', iface.decodeFunctionResult('verifyProof', result)[0] === true);
    const tx = await signer.sendTransaction({ to, data: calldata, gasLimit: GAS });
    const receipt = await tx.wait();
    check('verifyProof as a transaction', receipt.status === 1, `gas ${receipt.gasUsed}`);

    // Flip one byte of the proof (selector 4 + three head words 96 + 40 bytes in).
    const bytes = ethers.getBytes(calldata);
    bytes[4 + 96 + 40] ^= 1;
    const bad = await provider.call({ to, data: ethers.hexlify(bytes), gasLimit: GAS });
    check('verifyProof rejects a tampered proof', iface.decodeFunctionResult('verifyProof', bad)[0] === false);

    // Too little gas must fail the call, never answer false for a valid proof.
    const used = Number(receipt.gasUsed);
    for (const short of [1000, 5000, 50000, 120000, 600000]) {
      let answer;
      try {
        answer = iface.decodeFunctionResult('verifyProof', await provider.call({ to, data: calldata, gasLimit: used - short }))[0];
      } catch (e) {
        answer = 'reverted';
      }
      check(`${short} gas short: the call fails`, answer === 'reverted', String(answer));
    }

    // The node prices modexp by EIP-7883: 32-byte base, exponent r - 2, modulus r costs 4,048.
    const r = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001n;
    const word = (v) => ethers.toBeHex(v, 32).slice(2);
    const input = '0x' + word(32n) + word(32n) + word(32n) + word(12345n) + word(r - 2n) + word(r);
    const mtx = await signer.sendTransaction({ to: '0x0000000000000000000000000000000000000005', data: input, gasLimit: 100000 });
    const mrec = await mtx.wait();
    const data = ethers.getBytes(input);
    const nonzero = data.filter((b) => b !== 0).length;
    const standard = 21000 + 4 * (data.length - nonzero) + 16 * nonzero;
    const floor = 21000 + 10 * (data.length + 3 * nonzero);
    check('modexp is priced by EIP-7883', Number(mrec.gasUsed) === Math.max(standard + 4048, floor), `gas ${mrec.gasUsed}`);
    if (hashed) await registryTests(hashed, provider, signer, check);
    if (g16) await groth16Tests(g16, provider, signer, check);
  } finally {
    node.kill('SIGTERM');
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => {
  console.error(e.shortMessage || e.message, e.info ? JSON.stringify(e.info.error) : '');
  process.exit(1);
});
