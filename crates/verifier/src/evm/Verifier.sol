// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.19;

/// @title zkinfer Halo2 verifier (KZG on BN254, SHPLONK, Keccak transcript).
/// @notice The same code verifies every zkinfer circuit: the circuit's verifying key (proof
/// layout, transcript schedule, constraints as a small postfix program, commitments, SHPLONK
/// rotation sets, the exact number of public instances) is data, the code of the
/// `ZkinferVerifyingKey*` contracts, read with EXTCODECOPY and interpreted in loops — so this
/// contract's size does not depend on the circuit's width. Mirrors
/// `zkinfer_verifier::evm::reference` step by step: transcript, one batched field inversion (a
/// single modexp) for every denominator, the constraint program (fused 3-byte instructions over
/// a value table, `expr.rs`), SHPLONK's MSM, one pairing.
/// @dev `verifyProof(proof, instances)`: `instances` is the circuit's instance column in row
/// order (zkinfer: public inputs, then public outputs, row-major; a negative fixed-point value
/// v is r - |v|), exactly as many as the key says. It returns false for any invalid proof or
/// instances (another count, a value >= r, a point off the curve, a failed check). It reverts
/// only when it cannot reach a verdict: `PrecompileFailed(address)` when a precompile call
/// fails or answers nothing (too little gas left, or a chain without it — inputs are checked
/// first, so a valid input never fails there), `KeyCodeChanged(address)` when a key contract's
/// code is no longer what the constructor checked. So a caller that leaves too little gas gets a
/// revert, never `false` for a valid proof. Every precompile call gets all the gas left: no
/// price is hard-coded, so a repricing (as EIP-7883 did to modexp) cannot turn valid proofs
/// into rejections.
contract ZkinferVerifier {
    /// A key address has no code, or code that is not a zkinfer key part (a STOP byte, then at
    /// most 65,535 bytes of data).
    error KeyNotDeployed(address key);
    /// The key contracts' data does not hash to the key hash the deployer asked for.
    error KeyHashMismatch(bytes32 expected, bytes32 found);
    /// A key contract's code hash differs from the one recorded at construction.
    error KeyCodeChanged(address key);
    /// A precompile call failed or returned no output: too little gas, or the chain lacks it.
    error PrecompileFailed(address precompile);

    /// keccak256 of the verifying key's data (the key contracts' code after their leading STOP,
    /// concatenated): which circuit, and how many instances, this verifier checks. `zkinfer
    /// solidity` writes it as `ZKINFER_KEY_HASH` in the generated source.
    bytes32 public immutable keyHash;
    /// The verifying key's data contracts, in order (unused ones are address(0)): a key larger
    /// than EIP-170's 24,576 bytes is split across up to four contracts.
    address public immutable key0;
    address public immutable key1;
    address public immutable key2;
    address public immutable key3;
    // EXTCODEHASH of each key contract at construction, and their data lengths (16 bits each).
    bytes32 private immutable codeHash0;
    bytes32 private immutable codeHash1;
    bytes32 private immutable codeHash2;
    bytes32 private immutable codeHash3;
    uint256 private immutable keyLengths;

    /// Binds the verifier to one verifying key: every non-zero key address (k0 always) must hold
    /// a deployed key part, and their data together must hash to `expectedKeyHash` — else the
    /// deployment reverts, so a verifier never points at an undeployed address (whose code could
    /// come later) or at another circuit's key.
    constructor(bytes32 expectedKeyHash, address k0, address k1, address k2, address k3) {
        address[4] memory keys = [k0, k1, k2, k3];
        bytes32[4] memory hashes;
        uint256 lengths;
        bytes32 found;
        uint256 bad;
        assembly ("memory-safe") {
            let b := mload(0x40)
            let len := 0
            for { let i := 0 } lt(i, 4) { i := add(i, 1) } {
                let k := mload(add(keys, shl(5, i)))
                if or(k, iszero(i)) {
                    let size := extcodesize(k)
                    extcodecopy(k, 0, 0, 1)
                    // Lengths are kept in 16 bits (EIP-170 allows 24,576 bytes).
                    if or(or(lt(size, 2), gt(size, 0x10000)), shr(248, mload(0))) {
                        bad := add(i, 1)
                        break
                    }
                    extcodecopy(k, add(b, len), 1, sub(size, 1))
                    len := add(len, sub(size, 1))
                    lengths := or(lengths, shl(shl(4, i), sub(size, 1)))
                    mstore(add(hashes, shl(5, i)), extcodehash(k))
                }
            }
            found := keccak256(b, len)
        }
        if (bad != 0) revert KeyNotDeployed(keys[bad - 1]);
        if (found != expectedKeyHash) revert KeyHashMismatch(expectedKeyHash, found);
        keyHash = expectedKeyHash;
        (key0, key1, key2, key3) = (k0, k1, k2, k3);
        (codeHash0, codeHash1, codeHash2, codeHash3) = (hashes[0], hashes[1], hashes[2], hashes[3]);
        keyLengths = lengths;
    }

    /// Reverts unless key part `k` (if used) still has the code the constructor checked. Code
    /// starting with STOP cannot self-destruct, so this holds on any chain; the check costs
    /// nothing extra, as EXTCODEHASH pays the cold access EXTCODECOPY would.
    function checkKey(address k, bytes32 h) private view {
        if (k != address(0) && k.codehash != h) revert KeyCodeChanged(k);
    }

    /// The model id this verifier's key pins: every proof it accepts has it as instance 0 (the
    /// parameter hash of a model with hashed parameters). 0 when the key pins none: a verifier
    /// for every model of the circuit's architecture, whose callers check the id themselves
    /// (`ModelRegistry`).
    function modelId() external view returns (uint256 id) {
        address k = key0;
        checkKey(k, codeHash0);
        assembly ("memory-safe") {
            // Header words 47 (the pinned index + 1, or 0) and 48 (its value) of the key's data,
            // which the first key part always holds.
            let m := mload(0x40)
            extcodecopy(k, m, add(1, mul(47, 32)), 64)
            if mload(m) { id := mload(add(m, 32)) }
        }
    }

    function verifyProof(bytes calldata proof, uint256[] calldata instances) external view returns (bool) {
        address keyA = key0;
        address keyB = key1;
        address keyC = key2;
        address keyD = key3;
        checkKey(keyA, codeHash0);
        checkKey(keyB, codeHash1);
        checkKey(keyC, codeHash2);
        checkKey(keyD, codeHash3);
        uint256 lengths = keyLengths;
        bool valid;
        assembly ("memory-safe") {
            // Each phase is a function with few live values, so the compiler keeps them on the
            // stack instead of spilling them to memory (the optimizer inlines a function called
            // once, and then has to spill; a call to itself on a path never taken, marked "never"
            // below, keeps a function out of line). Memory, from the free pointer:
            //   B  the blob (the key contracts' code after their leading STOP, concatenated);
            //   V  the value table (blob.rs / expr::Layout): challenges, l_0, l_last, l_blind, x,
            //      1 - (l_last + l_blind), the quotient evaluation, instance evaluations, the
            //      proof's evaluations, the program's constants;
            //   W  the batch inversion's denominators, then their prefix products;
            //   S  16 words of scratch: the MSM accumulator S[0..2), the ecMul input S[2..5),
            //      then SHPLONK's values S[5..15): the proof's calldata offset, the key's points,
            //      B, xⁿ, x, u, u/x, 1/z_diff_0, SHPLONK's y and v; the pairing input at the end;
            //   T  the transcript buffer; then the program's stack; then SHPLONK's basis.
            function hw(b, i) -> v {
                v := mload(add(b, shl(5, i)))
            }
            // Key part `k`'s `len` data bytes (its code after the STOP) to dst.
            function loadKey(k, len, dst) -> end {
                if len { extcodecopy(k, dst, 1, len) }
                end := add(dst, len)
            }
            // Precompile `a` on [i, i + n) into [o, o + m), with all the gas left; reverts with
            // PrecompileFailed(a) unless it succeeds with exactly m bytes of output. Its inputs
            // are valid here (proof points are checked on the curve first, the key's points are
            // the key's), so only too little gas, or a chain without the precompile (a call to
            // an empty account succeeds with no output and leaves memory as it was), fails.
            function precompile(a, i, n, o, m) {
                // (Yul evaluates arguments right to left: the call must come first.)
                let success := staticcall(gas(), a, i, n, o, m)
                if iszero(and(success, eq(returndatasize(), m))) {
                    mstore(0, shl(224, 0xeb8d043a)) // PrecompileFailed(address)
                    mstore(4, a)
                    revert(0, 36)
                }
            }
            // The n proof points at calldata p: both coordinates below the base field's modulus
            // q, and on y² = x³ + 3 or (0, 0), the point at infinity (what ecAdd/ecMul accept).
            function onCurve(p, n) -> ok {
                let q := 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47
                ok := 1
                for { let end := add(p, shl(6, n)) } lt(p, end) { p := add(p, 64) } {
                    let x := calldataload(p)
                    let y := calldataload(add(p, 32))
                    let on := eq(mulmod(y, y, q), addmod(mulmod(mulmod(x, x, q), x, q), 3, q))
                    ok := and(ok, and(and(lt(x, q), lt(y, q)), or(on, iszero(or(x, y)))))
                }
            }
            // Challenge `hw(B, id)`.
            function chal(B, V, id) -> c {
                c := mload(add(V, shl(5, hw(B, id))))
            }
            function xPowN(B, x) -> xn {
                let R := mload(0) // r (see verify)
                xn := x
                for { let i := hw(B, 0) } i { i := sub(i, 1) } { xn := mulmod(xn, xn, R) }
            }

            // Proof length, the exact instance count, every instance and evaluation below r,
            // every point on the curve.
            function checkInputs(B, pOff, pLen, iOff, nInst) -> ok {
                if iszero(calldatasize()) { ok := checkInputs(B, pOff, pLen, iOff, nInst) } // never: keeps it out of line
                let R := mload(0) // r (see verify)
                let evalsOff := add(pOff, shl(6, hw(B, 6)))
                let evalsEnd := add(evalsOff, shl(5, hw(B, 7)))
                ok := and(eq(add(pOff, pLen), add(evalsEnd, 128)), eq(nInst, hw(B, 4)))
                if iszero(ok) { leave }
                // The pinned instance (the model id), when the key pins one: its index plus one
                // is below the count the line above checked.
                let pin := hw(B, 47)
                if pin { ok := eq(calldataload(add(iOff, shl(5, sub(pin, 1)))), hw(B, 48)) }
                for { let p := iOff let end := add(iOff, shl(5, nInst)) } lt(p, end) { p := add(p, 32) } {
                    ok := and(ok, lt(calldataload(p), R))
                }
                for { let p := evalsOff } lt(p, evalsEnd) { p := add(p, 32) } {
                    ok := and(ok, lt(calldataload(p), R))
                }
                ok := and(ok, and(onCurve(pOff, hw(B, 6)), onCurve(evalsEnd, 2)))
            }

            // Challenges into V: the transcript is repr || instances || proof, squeezed at the
            // plan's offsets.
            function transcript(B, V, S, T, pOff, pLen, iOff, nInst) {
                if iszero(calldatasize()) { transcript(B, V, S, T, pOff, pLen, iOff, nInst) } // never: keeps it out of line
                let R := mload(0) // r (see verify)
                mstore(T, hw(B, 3))
                calldatacopy(add(T, 32), iOff, shl(5, nInst))
                let P := add(add(T, 32), shl(5, nInst))
                calldatacopy(P, pOff, pLen)
                let sq := add(B, hw(B, 34))
                let start := T
                for { let i := 0 } lt(i, hw(B, 8)) { i := add(i, 1) } {
                    let at := add(P, hw(sq, i))
                    let h
                    switch eq(sub(at, start), 32)
                    case 1 {
                        mstore(S, mload(start))
                        mstore8(add(S, 32), 1)
                        h := keccak256(S, 33)
                    }
                    default { h := keccak256(start, sub(at, start)) }
                    mstore(add(V, shl(5, i)), mod(h, R))
                    start := sub(at, 32)
                    mstore(start, h)
                }
            }

            // Π (u - x·ω_j) over `n` words ω_j at `pts`.
            function vanishing(u, x, pts, n) -> z {
                let R := mload(0) // r (see verify)
                z := 1
                for { let end := add(pts, shl(5, n)) } lt(pts, end) { pts := add(pts, 32) } {
                    z := mulmod(z, addmod(u, sub(R, mulmod(x, mload(pts), R)), R), R)
                }
            }

            // Σ vᵢ·wᵢ/(x - wᵢ) with wᵢ = w·ωⁱ, as one fraction num/den (no inversion).
            function instanceSum(x, w, omega, iOff, nInst) -> num, den {
                if iszero(calldatasize()) { num, den := instanceSum(x, w, omega, iOff, nInst) } // never: keeps it out of line
                let R := mload(0) // r (see verify)
                den := 1
                for { let end := add(iOff, shl(5, nInst)) } lt(iOff, end) { iOff := add(iOff, 32) } {
                    let d := addmod(x, sub(R, w), R)
                    num := addmod(mulmod(num, d, R), mulmod(mulmod(calldataload(iOff), w, R), den, R), R)
                    den := mulmod(den, d, R)
                    w := mulmod(w, omega, R)
                }
            }

            // Montgomery's trick: replaces the n words at W by their inverses with one modexp
            // (prefix products at W + 32n; 32-byte base, exponent r - 2 and modulus: 4,048 gas
            // under EIP-7883). False if any is zero (then all become zero).
            function batchInvert(W, n, S) -> ok {
                let R := mload(0) // r (see verify)
                let pre := add(W, shl(5, n))
                let prod := 1
                for { let i := 0 } lt(i, n) { i := add(i, 1) } {
                    mstore(add(pre, shl(5, i)), prod)
                    prod := mulmod(prod, mload(add(W, shl(5, i))), R)
                }
                mstore(S, 32)
                mstore(add(S, 32), 32)
                mstore(add(S, 64), 32)
                mstore(add(S, 96), prod)
                mstore(add(S, 128), sub(R, 2))
                mstore(add(S, 160), R)
                ok := iszero(iszero(prod))
                precompile(5, S, 192, S, 32)
                let inv := mload(S)
                for { let i := n } i {} {
                    i := sub(i, 1)
                    let a := add(W, shl(5, i))
                    let d := mload(a)
                    mstore(a, mulmod(inv, mload(add(pre, shl(5, i))), R))
                    inv := mulmod(inv, d, R)
                }
            }

            // Every denominator, inverted at once (W, in order): x - ω⁻ⁱ for i = 0..bf+1 (l_0,
            // the blinding rows, l_last), xⁿ - 1, x, the first rotation set's z_diff, then one
            // per instance rotation. Fills the vars and instance evaluations of V.
            function inverses(B, V, W, S, iOff, nInst) -> ok {
                if iszero(calldatasize()) { ok := inverses(B, V, W, S, iOff, nInst) } // never: keeps it out of line
                let R := mload(0) // r (see verify)
                let x := chal(B, V, 13)
                let xn := xPowN(B, x)
                let bf := hw(B, 5)
                let omegaInv := hw(B, 39)
                let w := 1
                let d := W
                for { let end := add(W, shl(5, add(bf, 2))) } lt(d, end) { d := add(d, 32) } {
                    mstore(d, addmod(x, sub(R, w), R))
                    w := mulmod(w, omegaInv, R)
                }
                mstore(d, addmod(xn, sub(R, 1), R))
                mstore(add(d, 32), x)
                {
                    let z := 1
                    if hw(B, 21) {
                        let s0 := add(B, hw(B, 37))
                        z := vanishing(chal(B, V, 16), x, add(s0, shl(5, add(3, mload(s0)))), mload(add(s0, 32)))
                    }
                    mstore(add(d, 64), z)
                }
                let nRot := hw(B, 19)
                let inst := add(V, shl(5, hw(B, 42)))
                for { let q := 0 } lt(q, nRot) { q := add(q, 1) } {
                    let num, den := instanceSum(x, hw(add(B, hw(B, 35)), q), hw(B, 2), iOff, nInst)
                    mstore(add(inst, shl(5, q)), num)
                    mstore(add(d, shl(5, add(q, 3))), den)
                }
                ok := batchInvert(W, add(bf, add(5, nRot)), S)
                // L_i(x) = ωⁱ·(xⁿ - 1)/(n·(x - ωⁱ))
                let common := mulmod(addmod(xn, sub(R, 1), R), hw(B, 33), R)
                w := omegaInv
                let blind := 0
                for { let i := 1 } iszero(gt(i, bf)) { i := add(i, 1) } {
                    blind := addmod(blind, mulmod(w, mload(add(W, shl(5, i))), R), R)
                    w := mulmod(w, omegaInv, R)
                }
                blind := mulmod(blind, common, R)
                let last := mulmod(mulmod(common, w, R), mload(add(W, shl(5, add(bf, 1)))), R)
                let vars := add(V, shl(5, hw(B, 40)))
                mstore(vars, mulmod(common, mload(W), R))
                mstore(add(vars, 32), last)
                mstore(add(vars, 64), blind)
                mstore(add(vars, 96), x)
                mstore(add(vars, 128), addmod(sub(R, addmod(last, blind, R)), 1, R))
                for { let q := 0 } lt(q, nRot) { q := add(q, 1) } {
                    let a := add(inst, shl(5, q))
                    mstore(a, mulmod(mulmod(mload(a), mload(add(d, shl(5, add(q, 3)))), R), common, R))
                }
            }

            // The constraint program (expr.rs): 3-byte instructions, operands index V; the top
            // of the stack lives in `top`, the rest from `sp` down. Folds with y.
            function run(p, end, V, y, sp) -> acc {
                if iszero(calldatasize()) { acc := run(p, end, V, y, sp) } // never: keeps it out of line
                let R := mload(0) // r (see verify)
                let top := 0
                for {} lt(p, end) { p := add(p, 3) } {
                    let w := mload(p)
                    switch shr(248, w)
                    // By frequency in zkinfer programs (a switch tests its cases in order).
                    case 0x04 { // MUL_V
                        top := mulmod(top, mload(add(V, and(shr(227, w), 0x1fffe0))), R)
                    }
                    case 0x00 { // PUSH
                        mstore(sp, top)
                        sp := add(sp, 32)
                        top := mload(add(V, and(shr(227, w), 0x1fffe0)))
                    }
                    case 0x01 { // ADD_V
                        top := addmod(top, mload(add(V, and(shr(227, w), 0x1fffe0))), R)
                    }
                    case 0x02 { // SUB_V
                        top := addmod(top, sub(R, mload(add(V, and(shr(227, w), 0x1fffe0)))), R)
                    }
                    case 0x09 { // FOLD
                        acc := addmod(mulmod(acc, y, R), top, R)
                        sp := sub(sp, 32)
                        top := mload(sp)
                    }
                    case 0x07 { // MUL
                        sp := sub(sp, 32)
                        top := mulmod(mload(sp), top, R)
                    }
                    case 0x05 { // ADD
                        sp := sub(sp, 32)
                        top := addmod(mload(sp), top, R)
                    }
                    case 0x06 { // SUB
                        sp := sub(sp, 32)
                        top := addmod(mload(sp), sub(R, top), R)
                    }
                    case 0x03 { // RSUB_V
                        top := addmod(mload(add(V, and(shr(227, w), 0x1fffe0))), sub(R, top), R)
                    }
                    case 0x08 { // NEG
                        top := sub(R, top)
                    }
                    default { revert(0, 0) }
                }
            }

            // acc (S[0..2)) += s·(px, py), (px, py) a point on the curve.
            function msmAdd(S, px, py, s) {
                let m := add(S, 64)
                mstore(m, px)
                mstore(add(m, 32), py)
                mstore(add(m, 64), s)
                precompile(7, m, 96, m, 64)
                precompile(6, S, 128, S, 64)
            }

            // Commitment `cref` (kind << 32 | index) times s into the MSM.
            function addTerm(S, cref, s) {
                let R := mload(0) // r (see verify)
                let idx := and(cref, 0xffffffff)
                switch shr(32, cref)
                case 0 {
                    let pp := add(mload(add(S, 160)), shl(6, idx))
                    msmAdd(S, calldataload(pp), calldataload(add(pp, 32)), s)
                }
                case 1 {
                    let pp := add(mload(add(S, 192)), shl(6, idx))
                    msmAdd(S, mload(pp), mload(add(pp, 32)), s)
                }
                default {
                    // The quotient commitment: Σ xⁿⁱ·h_i.
                    let B := mload(add(S, 224))
                    let xn := mload(add(S, 256))
                    let pp := add(mload(add(S, 160)), shl(6, hw(B, 17)))
                    for { let end := add(pp, shl(6, hw(B, 18))) } lt(pp, end) { pp := add(pp, 64) } {
                        msmAdd(S, calldataload(pp), calldataload(add(pp, 32)), s)
                        s := mulmod(s, xn, R)
                    }
                }
            }

            // One rotation set at s (blob.rs): r_j = Σ basis_m·e_jm, rInner = Σ y^j·r_j,
            // MSM += scale·y^j·C_j. Returns the next set's pointer.
            function commitments(s, V, S, scale) -> rInner, next {
                if iszero(calldatasize()) { rInner, next := commitments(s, V, S, scale) } // never: keeps it out of line
                let R := mload(0) // r (see verify)
                let nr := mload(s)
                let c := add(s, shl(5, add(3, add(nr, mload(add(s, 32))))))
                basisAt(add(S, 512), mload(add(S, 352)), add(s, 96), c, nr)
                c := add(c, shl(5, nr))
                next := add(c, mul(mload(add(s, 64)), shl(5, add(nr, 1))))
                let bEnd := add(add(S, 512), shl(5, nr))
                let yPow := 1
                for {} lt(c, next) {} {
                    let cref := mload(c)
                    c := add(c, 32)
                    let r := 0
                    for { let m := add(S, 512) } lt(m, bEnd) { m := add(m, 32) } {
                        r := addmod(r, mulmod(mload(m), mload(add(V, mload(c))), R), R)
                        c := add(c, 32)
                    }
                    rInner := addmod(rInner, mulmod(yPow, r, R), R)
                    addTerm(S, cref, mulmod(scale, yPow, R))
                    yPow := mulmod(yPow, mload(add(S, 416)), R)
                }
            }

            // The n rotation sets from s; set i > 0 scales by v^i·z_diff_i/z_diff_0.
            function sets(s, n, V, S) -> rOuter, z0 {
                if iszero(calldatasize()) { rOuter, z0 := sets(s, n, V, S) } // never: keeps it out of line
                let R := mload(0) // r (see verify)
                if iszero(n) { leave }
                z0 := vanishing(mload(add(S, 320)), mload(add(S, 288)), add(s, 96), mload(s))
                rOuter, s := commitments(s, V, S, 1)
                let vPow := mload(add(S, 448))
                for { n := sub(n, 1) } n { n := sub(n, 1) } {
                    let zd := vanishing(mload(add(S, 320)), mload(add(S, 288)), add(s, shl(5, add(3, mload(s)))), mload(add(s, 32)))
                    let scale := mulmod(mulmod(vPow, zd, R), mload(add(S, 384)), R)
                    let rInner, next := commitments(s, V, S, scale)
                    rOuter := addmod(rOuter, mulmod(scale, rInner, R), R)
                    vPow := mulmod(vPow, mload(add(S, 448)), R)
                    s := next
                }
            }

            // SHPLONK: one MSM over every commitment, then one pairing.
            function shplonk(B, V, W, S, pOff, pLen) -> ok {
                if iszero(calldatasize()) { ok := shplonk(B, V, W, S, pOff, pLen) } // never: keeps it out of line
                let R := mload(0) // r (see verify)
                let x := chal(B, V, 13)
                let u := chal(B, V, 16)
                let bf := hw(B, 5)
                mstore(S, 0)
                mstore(add(S, 32), 0)
                mstore(add(S, 160), pOff)
                mstore(add(S, 192), add(B, hw(B, 36)))
                mstore(add(S, 224), B)
                mstore(add(S, 256), xPowN(B, x))
                mstore(add(S, 288), x)
                mstore(add(S, 320), u)
                // t = u/x: the basis of a set's points x·ω_j at u is weight_j·Π_{m≠j}(t - ω_m).
                mstore(add(S, 352), mulmod(u, mload(add(W, shl(5, add(bf, 3)))), R))
                mstore(add(S, 384), mload(add(W, shl(5, add(bf, 4)))))
                mstore(add(S, 416), chal(B, V, 14))
                mstore(add(S, 448), chal(B, V, 15))
                let rOuter, z0 := sets(add(B, hw(B, 37)), hw(B, 21), V, S)
                let h1 := add(pOff, sub(pLen, 128))
                msmAdd(S, hw(B, 23), hw(B, 24), sub(R, rOuter))
                msmAdd(S, calldataload(h1), calldataload(add(h1, 32)), sub(R, z0))
                msmAdd(S, calldataload(add(h1, 64)), calldataload(add(h1, 96)), u)
                // e(h2, s·g2) · e(acc, -g2) == 1
                mstore(add(S, 192), mload(S))
                mstore(add(S, 224), mload(add(S, 32)))
                mstore(S, calldataload(add(h1, 64)))
                mstore(add(S, 32), calldataload(add(h1, 96)))
                mstore(add(S, 64), hw(B, 29))
                mstore(add(S, 96), hw(B, 30))
                mstore(add(S, 128), hw(B, 31))
                mstore(add(S, 160), hw(B, 32))
                mstore(add(S, 256), hw(B, 25))
                mstore(add(S, 288), hw(B, 26))
                mstore(add(S, 320), hw(B, 27))
                mstore(add(S, 352), hw(B, 28))
                precompile(8, S, 384, S, 32)
                ok := eq(mload(S), 1)
            }

            // basis_j = weight_j·Π_{m≠j}(t - ω_m) for the nr points ω at pts, into dst.
            function basisAt(dst, t, pts, wts, nr) {
                let R := mload(0) // r (see verify)
                for { let j := 0 } lt(j, nr) { j := add(j, 1) } {
                    let b := mload(add(wts, shl(5, j)))
                    for { let m := 0 } lt(m, nr) { m := add(m, 1) } {
                        if iszero(eq(m, j)) { b := mulmod(b, addmod(t, sub(R, mload(add(pts, shl(5, m)))), R), R) }
                    }
                    mstore(add(dst, shl(5, j)), b)
                }
            }

            // The blob is at [B, blobEnd).
            function verify(B, blobEnd, pOff, pLen, iOff, nInst) -> ok {
                // The scalar field's modulus r, kept in scratch word 0 and loaded once per
                // function: as a literal, the optimizer would re-read it from code at every use.
                mstore(0, 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001)
                let R := mload(0)
                let V := and(add(blobEnd, 31), not(31))
                let W := add(V, shl(5, hw(B, 45)))
                let S := add(W, shl(6, add(hw(B, 5), add(5, hw(B, 19)))))
                let T := add(S, 512)
                ok := checkInputs(B, pOff, pLen, iOff, nInst)
                if iszero(ok) { leave }
                transcript(B, V, S, T, pOff, pLen, iOff, nInst)
                // The value table's evaluations and constants.
                calldatacopy(add(V, shl(5, hw(B, 43))), add(pOff, shl(6, hw(B, 6))), shl(5, hw(B, 7)))
                {
                    let dst := add(V, shl(5, hw(B, 44)))
                    let src := add(B, hw(B, 46))
                    for { let end := add(V, shl(5, hw(B, 45))) } lt(dst, end) { dst := add(dst, 32) } {
                        mstore(dst, mload(src))
                        src := add(src, 32)
                    }
                }
                ok := inverses(B, V, W, S, iOff, nInst)
                if iszero(ok) { leave }
                let p := add(B, hw(B, 38))
                let acc := run(p, add(p, hw(B, 22)), V, chal(B, V, 12), T)
                mstore(add(V, shl(5, hw(B, 41))), mulmod(acc, mload(add(W, shl(5, add(hw(B, 5), 2)))), R))
                ok := shplonk(B, V, W, S, pOff, pLen)
            }

            let B := mload(0x40)
            let end := loadKey(keyA, and(lengths, 0xffff), B)
            end := loadKey(keyB, and(shr(16, lengths), 0xffff), end)
            end := loadKey(keyC, and(shr(32, lengths), 0xffff), end)
            end := loadKey(keyD, and(shr(48, lengths), 0xffff), end)
            valid := verify(B, end, proof.offset, proof.length, instances.offset, instances.length)
        }
        return valid;
    }
}
