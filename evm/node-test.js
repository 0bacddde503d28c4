#!/usr/bin/env node
// End-to-end on a real Ethereum node: starts `hardhat node` on 127.0.0.1, deploys the
// Verifier.sol that `zkinfer solidity` wrote (compiled here with solcjs, optimizer on), calls
// verifyProof with the calldata `zkinfer calldata` wrote, checks that a tampered proof is
// rejected, and stops the node. Usage: node evm/node-test.js DIR (DIR holds Verifier.sol and
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
  const contracts = compile(fs.readFileSync(path.join(dir, 'Verifier.sol'), 'utf8'));
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
    const provider = new ethers.JsonRpcProvider(URL, undefined, { staticNetwork: true });
    await waitForNode(provider);
    const signer = await provider.getSigner(0);
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
    const abi = [
      'constructor(address k0, address k1, address k2, address k3)',
      'function verifyProof(bytes proof, uint256[] instances) view returns (bool)',
    ];
    const verC = contracts.ZkinferVerifier;
    const verifier = await new ethers.ContractFactory(abi, '0x' + verC.evm.bytecode.object, signer).deploy(...keys);
    await verifier.waitForDeployment();
    const to = await verifier.getAddress();
    const verifierSize = ((await provider.getCode(to)).length - 2) / 2;
    check(
      'verifier and key contracts deploy under EIP-170',
      verifierSize <= 24576 && sizes.every((s) => s <= 24576),
      `verifier ${verifierSize} B, key ${sizes.join(' + ')} B`,
    );

    const iface = new ethers.Interface(abi);
    const GAS = 30000000;
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
