#!/usr/bin/env node
// End-to-end on a real Ethereum node: starts `hardhat node` (hard fork Osaka, as mainnet) on
// 127.0.0.1, deploys the Verifier.sol that `zkinfer solidity` wrote (compiled here with solcjs,
// optimizer on) with its key hash, calls verifyProof with the calldata `zkinfer calldata` wrote,
// checks that a tampered proof is rejected, that too little gas fails the call, that the
// constructor refuses a wrong key, that modexp costs EIP-7883's price, and stops the node. Usage: node evm/node-test.js DIR (DIR holds Verifier.sol and
// calldata.hex).
'use strict';
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');
const solc = require('solc');
const { ethers } = require('ethers');

const dir = process.argv[2];
if (!dir) {
  console.error('usage: node evm/node-test.js DIR');
  process.exit(1);
}
const PORT = 8545 + Math.floor(Math.random() * 1000);
const URL = `http://127.0.0.1:${PORT}`;

function compile(source) {
  const input = {
    language: 'Solidity',
    sources: { 'Verifier.sol': { content: source } },
    settings: {
      optimizer: { enabled: true, runs: 200 },
      viaIR: true,
      outputSelection: { '*': { '*': ['evm.bytecode.object', 'evm.deployedBytecode.object'] } },
    },
  };
  const out = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (out.errors || []).filter((e) => e.severity === 'error');
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  return out.contracts['Verifier.sol'];
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
    // The key is split into ZkinferVerifyingKey0, 1, ... (each under EIP-170): deploy them in order.
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
    // The key hash `zkinfer solidity` wrote: the verifier's constructor checks the keys against it.
    const keyHash = source.match(/bytes32 constant ZKINFER_KEY_HASH = (0x[0-9a-f]{64});/)[1];
    const abi = [
      'constructor(bytes32 expectedKeyHash, address k0, address k1, address k2, address k3)',
      'function verifyProof(bytes proof, uint256[] instances) view returns (bool)',
      'function keyHash() view returns (bytes32)',
    ];
    const verC = contracts.ZkinferVerifier;
    const factory = new ethers.ContractFactory(abi, '0x' + verC.evm.bytecode.object, signer);
    const verifier = await factory.deploy(keyHash, ...keys);
    await verifier.waitForDeployment();
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
