// Local development node for evm/node-test.js (`hardhat node` on 127.0.0.1 only).
module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
      // The hard fork Ethereum mainnet runs (Fusaka's execution layer, since December 2025):
      // EIP-7883 prices modexp, EIP-7825 caps a transaction's gas at 2^24. Hardhat 2.29 supports it.
      hardfork: 'osaka',
      // Mainnet rules: EIP-170's 24,576-byte code limit stays on.
      allowUnlimitedContractSize: false,
      blockGasLimit: 60000000,
    },
  },
};
