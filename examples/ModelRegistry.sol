// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.19;

/// The entry point of every zkinfer verifier (`ZkinferVerifier`).
interface IZkinferVerifier {
    function verifyProof(bytes calldata proof, uint256[] calldata instances) external view returns (bool);
    /// The model id the verifier's key pins, or 0 for a verifier of any model of its architecture.
    function modelId() external view returns (uint256);
}

/// Models compiled with hashed parameters, by model id: the Poseidon hash of the model's
/// weights (`model_id` in zkinfer's settings.json), which is instance 0 of every proof of that
/// model. An entry names the verifier of the model's circuit, an owner and a URI.
///
/// `verify` accepts a proof only when the entry's verifier accepts it *and* its instance 0 is
/// the entry's id: a proof made with other weights of the same architecture is valid for its
/// own id, and refused here. The id says which weights ran; the verifier, bound to one key
/// (`ZKINFER_KEY_HASH`), says which circuit. A verifier may serve one model (its key pins the
/// id; `zkinfer solidity`'s default) or every model of an architecture (`--any-model`);
/// `register` refuses a verifier pinned to another id. The first to register an id chooses its
/// verifier, so whoever relies on an entry checks that the verifier is a `ZkinferVerifier` with
/// the key they expect (or trusts the entry's owner).
contract ModelRegistry {
    struct Entry {
        address verifier;
        address owner;
        string uri;
    }

    mapping(uint256 => Entry) private entries;

    event Registered(uint256 indexed modelId, address indexed verifier, address indexed owner, string uri);
    event OwnerChanged(uint256 indexed modelId, address indexed owner);

    error AlreadyRegistered(uint256 modelId);
    error NotRegistered(uint256 modelId);
    error NotOwner(uint256 modelId);
    error ZeroAddress();
    error VerifierForOtherModel(uint256 modelId, uint256 pinned);

    /// Registers `modelId` with its verifier; the sender becomes the owner. The verifier must
    /// serve this id or any (its `modelId()` is `modelId` or 0).
    function register(uint256 modelId, address verifier, string calldata uri) external {
        if (verifier == address(0)) revert ZeroAddress();
        if (entries[modelId].verifier != address(0)) revert AlreadyRegistered(modelId);
        uint256 pinned = IZkinferVerifier(verifier).modelId();
        if (pinned != 0 && pinned != modelId) revert VerifierForOtherModel(modelId, pinned);
        entries[modelId] = Entry(verifier, msg.sender, uri);
        emit Registered(modelId, verifier, msg.sender, uri);
    }

    /// Hands an entry to a new owner (the owner only).
    function transferOwnership(uint256 modelId, address owner) external {
        Entry storage e = entries[modelId];
        if (e.verifier == address(0)) revert NotRegistered(modelId);
        if (e.owner != msg.sender) revert NotOwner(modelId);
        if (owner == address(0)) revert ZeroAddress();
        e.owner = owner;
        emit OwnerChanged(modelId, owner);
    }

    /// The entry of `modelId` (a zero verifier when there is none).
    function modelOf(uint256 modelId) external view returns (address verifier, address owner, string memory uri) {
        Entry storage e = entries[modelId];
        return (e.verifier, e.owner, e.uri);
    }

    /// True when `proof` is a proof of the registered model: its verifier accepts it and its
    /// instance 0 is `modelId`. Reverts `NotRegistered` for an unknown id, and with the
    /// verifier's own error when it cannot reach a verdict.
    function verify(uint256 modelId, bytes calldata proof, uint256[] calldata instances) external view returns (bool) {
        address verifier = entries[modelId].verifier;
        if (verifier == address(0)) revert NotRegistered(modelId);
        if (instances.length == 0 || instances[0] != modelId) return false;
        return IZkinferVerifier(verifier).verifyProof(proof, instances);
    }
}
