//! Hashed inputs and outputs through the whole pipeline: each takes one instance, the
//! Poseidon hash of its quantized values (`zkinfer_circuits::poseidon::hash_values`), which
//! anyone holding the values can recompute; the proof verifies natively and in the EVM (revm
//! under Osaka), and a changed hash is rejected by both.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use halo2_axiom::halo2curves::bn256::Fr;
use zkinfer::evm::MODEL_REGISTRY_SOL;
use zkinfer::{CompileOptions, Error, ParamVisibility, Srs, Visibility, VisibilityConfig};
use zkinfer_circuits::poseidon;
use zkinfer_graph::InstanceRole;
use zkinfer_verifier::evm::registry::{model_id_calldata, register_calldata, verify_calldata};
use zkinfer_verifier::evm::solidity::{deploy, vk_runtime, VERIFIER_SOL};
use zkinfer_verifier::evm::{compile, encode_calldata, find_solc, Evm};

/// The Solidity compiler; a missing one fails the test (`bash scripts/test.sh` installs it)
/// unless `ZKINFER_SKIP_EVM` is set.
fn solc() -> Option<std::path::PathBuf> {
    find_solc(None).ok().or_else(|| {
        assert!(std::env::var_os("ZKINFER_SKIP_EVM").is_some(), "solc is missing (bash scripts/test.sh installs it)");
        None
    })
}

/// The chain hash computed here, from circom's Poseidon, independently of `hash_instance`.
fn hash_of(values: &[i64]) -> Fr {
    let fe = |v: i64| if v < 0 { -Fr::from(v.unsigned_abs()) } else { Fr::from(v as u64) };
    hash_fes(&values.iter().map(|&v| fe(v)).collect::<Vec<_>>())
}

/// The parameter message from its definition (docs/src/visibility.md): the weights 14 to an
/// element as `w + 2^17` in 18 bits, first weight most significant, then the biases.
fn param_message(q: &zkinfer_graph::QGraph) -> Vec<Fr> {
    let fe = |v: i64| if v < 0 { -Fr::from(v.unsigned_abs()) } else { Fr::from(v as u64) };
    let m = q.param_message();
    let pack =
        |g: &[i64]| g.iter().fold(Fr::from(0), |a, &w| a * Fr::from(1u64 << 18) + Fr::from((w + (1 << 17)) as u64));
    let mut out: Vec<Fr> = m.weights.chunks(14).map(pack).collect();
    out.extend(m.biases.iter().map(|&v| fe(v)));
    out
}

/// The chain hash of field elements.
fn hash_fes(values: &[Fr]) -> Fr {
    let mut h = Fr::from(values.len() as u64);
    for chunk in values.chunks(4) {
        let mut block = vec![h];
        block.extend_from_slice(chunk);
        block.resize(5, Fr::from(0));
        h = poseidon::hash(&block).unwrap();
    }
    h
}

#[test]
fn hashed_input_and_output_verify_natively_and_in_the_evm() {
    let vis = VisibilityConfig::new(Visibility::Hashed, ParamVisibility::Fixed, Visibility::Hashed);
    let (model, compiled) = common::compile("mlp_digits", &CompileOptions { visibility: vis, ..Default::default() });
    let settings = &compiled.settings;
    assert_eq!(settings.num_instances(), 2);
    assert_eq!(settings.instances.range(InstanceRole::Input, 0), Some(0..1));
    assert_eq!(settings.instances.range(InstanceRole::Output, 0), Some(1..2));
    let privacy = settings.privacy().join("\n");
    assert!(privacy.contains("inputs: 'input' hashed: hidden from verifiers"), "{privacy}");

    let input = common::input("mlp_digits", &model);
    let witness = compiled.witness(&input).unwrap();
    let q = &compiled.qgraph;
    let x = &witness.values[q.inputs[0].tensor];
    let y = witness.output(q, 0);
    let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
    let bundle = zkinfer::prove(&compiled, &keys, &input).expect("prove");
    let instances = bundle.instance_values().unwrap();
    assert_eq!(instances, vec![hash_of(x), hash_of(y)], "the instances are the hashes of the values");
    assert_eq!(bundle.instances, [zkinfer::hash_instance(x), zkinfer::hash_instance(y)]);
    assert!(bundle.outputs.is_empty(), "a hashed output is not listed in the proof file");
    let vkeys = keys.verifier();
    zkinfer::verify(&vkeys, &bundle).expect("honest proof verifies");

    // The hash of a neighbouring output (the top class one higher) is rejected.
    let mut other = y.to_vec();
    other[0] += 1;
    let mut forged = bundle.clone();
    forged.instances[1] = zkinfer::hash_instance(&other);
    assert!(matches!(zkinfer::verify(&vkeys, &forged), Err(Error::Verify(_))));

    let Some(solc) = solc() else { return };
    let verifier = compile(&solc, &[("Verifier.sol", VERIFIER_SOL)], "Verifier.sol", "ZkinferVerifier").unwrap();
    let proof = bundle.proof_bytes().unwrap();
    let mut evm = Evm::new();
    let d = deploy(&mut evm, &verifier, &vkeys.halo2().unwrap().key_contracts().unwrap()).unwrap();
    let honest = evm.call(d.verifier, encode_calldata(&proof, &instances)).unwrap();
    assert!(honest.returned_true(), "honest proof rejected in the EVM: {honest:?}");
    eprintln!("mlp_digits hashed in and out: k={} gas {}", compiled.circuit().k(), honest.gas_used);
    for i in 0..instances.len() {
        let mut changed = instances.clone();
        changed[i] += Fr::from(1);
        let r = evm.call(d.verifier, encode_calldata(&proof, &changed)).unwrap();
        assert!(!r.returned_true(), "hash {i} changed and accepted in the EVM");
    }
    let r = evm.call(d.verifier, encode_calldata(&proof, &[instances[0]])).unwrap();
    assert!(!r.returned_true(), "one instance fewer accepted in the EVM");
}

/// Hashed parameters: the model id in the settings is the hash of the weights and instance 0
/// of every proof. A proof made with other weights of the same architecture (same keys: the
/// weights are witnesses) is a valid proof of *its* id, which the verifier refuses as another
/// model. In the EVM the key pins the id, so the verifier itself refuses it; a verifier built
/// for any model (`--any-model`) accepts it as what it is, a proof about that other id, and the
/// registry refuses it (docs/src/onchain.md).
/// `relu(x W + b)`, `x` of 4 values, 3 outputs: a model small enough to hash its parameters in
/// a test (mlp_digits' 2,410 take k = 16: docs/src/visibility.md).
fn small_dense() -> zkinfer::Model {
    use zkinfer_graph::ops::{Add, MatMul, Relu};
    use zkinfer_graph::{GraphBuilder, Tensor};
    let mut b = GraphBuilder::new();
    let x = b.input("x", vec![1, 4]);
    let w: Vec<f32> = (0..12).map(|i| ((i * 7 % 11) as f32 - 5.0) / 4.0).collect();
    let w = b.constant("w", Tensor::from_shape_vec(vec![4, 3], w).expect("shape"));
    let bias = b.constant("b", Tensor::from_shape_vec(vec![1, 3], vec![0.5, -0.25, 0.125]).expect("shape"));
    let h = b.node("mm", Box::new(MatMul), vec![x, w], "h").expect("matmul");
    let s = b.node("add", Box::new(Add), vec![h, bias], "s").expect("add");
    let r = b.node("relu", Box::new(Relu), vec![s], "r").expect("relu");
    let graph = b.finish_outputs(vec![r]).expect("graph");
    zkinfer::Model { graph, source: "small_dense.onnx".into() }
}

fn sample(k: usize) -> zkinfer::Sample {
    vec![(0..4).map(|i| (((k * 5 + i * 3) % 9) as f32 - 4.0) / 3.0).collect()]
}

#[test]
fn hashed_parameters_bind_the_model_id() {
    use zkinfer_graph::QOp;
    let vis = VisibilityConfig::new(Visibility::Private, ParamVisibility::Hashed, Visibility::Public);
    let model = small_dense();
    let samples: Vec<zkinfer::Sample> = (0..8).map(sample).collect();
    let compiled = model.compile(&samples, &CompileOptions { visibility: vis, ..Default::default() }).expect("compile");
    let settings = &compiled.settings;
    let params = param_message(&compiled.qgraph);
    let id = settings.model_id.clone().expect("a model id");
    assert_eq!(settings.instances.range(InstanceRole::Params, 0), Some(0..1));
    assert_eq!(compiled.qgraph.param_values().len(), 4 * 3 + 3, "the weights and biases of the dense layer");
    assert_eq!(params.len(), 1 + 3, "12 weights packed into one element, and 3 biases");
    assert_eq!(settings.num_instances(), 1 + 3);
    let privacy = settings.privacy().join("\n");
    assert!(privacy.contains(&format!("parameters: hashed: hidden from verifiers by zero knowledge, in any number of proofs, and bound to the model id {id}")), "{privacy}");

    let input = sample(3);
    let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
    let bundle = zkinfer::prove(&compiled, &keys, &input).expect("prove");
    assert_eq!(bundle.instances[0], id);
    assert_eq!(
        bundle.instance_values().unwrap()[0],
        hash_fes(&params),
        "the id is the chain hash of the packed weights"
    );
    let vkeys = keys.verifier();
    zkinfer::verify(&vkeys, &bundle).expect("honest proof verifies");

    // Other weights: one weight of the first dense layer changed.
    let mut other = (*compiled.qgraph).clone();
    let op = other.nodes.iter_mut().find_map(|n| match &mut n.op {
        QOp::Linear(op) if op.params.is_param(false) => Some(op),
        _ => None,
    });
    op.expect("a dense layer").weight[0] += 1;
    let other = zkinfer::Compiled { qgraph: std::sync::Arc::new(other), settings: settings.clone() };
    // The same structure, other parameters.
    let (mine, theirs) = (compiled.identity(), other.identity());
    assert_eq!(mine.structure, theirs.structure);
    assert_eq!(mine.params, 15);
    assert_eq!(mine.model_id.as_deref(), Some(id.as_str()));
    let forged = zkinfer::prove(&other, &keys, &input).expect("prove with other weights");
    assert_ne!(forged.instances[0], id);
    let err = zkinfer::verify(&vkeys, &forged).expect_err("other weights");
    assert!(err.to_string().contains("other weights ran"), "{err}");
    // With the honest id claimed instead, the proof itself fails.
    let mut claimed = forged.clone();
    claimed.instances[0] = id.clone();
    assert!(matches!(zkinfer::verify(&vkeys, &claimed), Err(Error::Verify(_))));

    // On chain, the key pins the id: the verifier answers `modelId()` with it and refuses the
    // proof of other weights.
    let Some(solc) = solc() else { return };
    let verifier = compile(&solc, &[("Verifier.sol", VERIFIER_SOL)], "Verifier.sol", "ZkinferVerifier").unwrap();
    let registry =
        compile(&solc, &[("ModelRegistry.sol", MODEL_REGISTRY_SOL)], "ModelRegistry.sol", "ModelRegistry").unwrap();
    let mut evm = Evm::new();
    let halo2 = vkeys.halo2().unwrap();
    let pinned = deploy(&mut evm, &verifier, &halo2.key_contracts().unwrap()).unwrap().verifier;
    let model_id = bundle.instance_values().unwrap()[0];
    let word = |v: &Fr| zkinfer_verifier::evm::calldata::fr_to_word(v).to_vec();
    let r = evm.call(pinned, model_id_calldata()).unwrap();
    assert_eq!(r.output.to_vec(), word(&model_id), "modelId() of the pinned verifier");
    let (proof, instances) = (bundle.proof_bytes().unwrap(), bundle.instance_values().unwrap());
    let (proof2, instances2) = (forged.proof_bytes().unwrap(), forged.instance_values().unwrap());
    assert!(evm.call(pinned, encode_calldata(&proof, &instances)).unwrap().returned_true());
    let r = evm.call(pinned, encode_calldata(&proof2, &instances2)).unwrap();
    assert!(r.success && !r.returned_true(), "the pinned verifier must refuse other weights: {r:?}");
    // The same key without the pin: a verifier of any weights, which accepts the other proof
    // for what it is and answers `modelId()` with 0.
    let any = vk_runtime(&halo2.params, &halo2.any_model_key().unwrap()).unwrap();
    let any = deploy(&mut evm, &verifier, &any).unwrap().verifier;
    assert_eq!(evm.call(any, model_id_calldata()).unwrap().output.to_vec(), word(&Fr::from(0)));
    assert!(evm.call(any, encode_calldata(&proof2, &instances2)).unwrap().returned_true());

    // The registry: a verifier pinned to another id cannot be registered; an unknown id reverts
    // (NotRegistered), not a verdict; an id registers once.
    let (reg, _) = evm.deploy(registry.creation.clone()).unwrap();
    let r = evm.call(reg, register_calldata(&instances2[0], pinned, "ipfs://other")).unwrap();
    assert!(!r.success, "a verifier pinned to another id must not register: {r:?}");
    let r = evm.call(reg, verify_calldata(&model_id, &proof, &instances)).unwrap();
    assert!(!r.success, "an unregistered id must revert: {r:?}");
    let r = evm.call(reg, register_calldata(&model_id, pinned, "ipfs://small_dense")).unwrap();
    assert!(r.success, "register: {r:?}");
    let r = evm.call(reg, register_calldata(&model_id, pinned, "again")).unwrap();
    assert!(!r.success, "an id registers once");
    let r = evm.call(reg, register_calldata(&instances2[0], any, "ipfs://other")).unwrap();
    assert!(r.success, "a verifier of any model registers under any id: {r:?}");
    let honest = evm.call(reg, verify_calldata(&model_id, &proof, &instances)).unwrap();
    assert!(honest.returned_true(), "honest proof through the registry: {honest:?}");
    let mut alone = |v| evm.call(v, encode_calldata(&proof, &instances)).unwrap().gas_used;
    let (alone_pinned, alone_any) = (alone(pinned), alone(any));
    eprintln!(
        "registry verify: {} gas (pinned verifier alone: {alone_pinned}, any-model verifier alone: {alone_any})",
        honest.gas_used
    );
    let r = evm.call(reg, verify_calldata(&model_id, &proof2, &instances2)).unwrap();
    assert!(r.success && !r.returned_true(), "a proof of other weights through the registry: {r:?}");
    let r = evm.call(reg, verify_calldata(&instances2[0], &proof2, &instances2)).unwrap();
    assert!(r.returned_true(), "the other model's proof under its own id and any-model verifier: {r:?}");
    let mut changed = instances.clone();
    changed[1] += Fr::from(1);
    let r = evm.call(reg, verify_calldata(&model_id, &proof, &changed)).unwrap();
    assert!(r.success && !r.returned_true(), "a changed output through the registry: {r:?}");
}
