// Local development node for evm/node-test.js (`hardhat node` on 127.0.0.1 only).
module.exports = {
  networks: {
    hardhat: {
      chainId: 31337,
      // Mainnet rules: EIP-170's 24,576-byte code limit stays on.
      allowUnlimitedContractSize: false,
      blockGasLimit: 30000000,
    },
  },
};
