// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.19;

/// @title zkinfer Halo2 verifier (KZG on BN254, SHPLONK, Keccak transcript).
/// @notice The same code verifies every zkinfer circuit: the circuit's verifying key (proof
/// layout, transcript schedule, constraints as a small postfix program, commitments, SHPLONK
/// rotation sets) is data, the code of the `ZkinferVerifyingKey*` contracts, read with
/// EXTCODECOPY and interpreted in loops — so this contract's size does not depend on the
/// circuit's width. Mirrors `zkinfer_verifier::evm::reference` step by step.
/// @dev `verifyProof(proof, instances)`: `instances` is the circuit's instance column in row
/// order (zkinfer: public inputs, then public outputs, row-major; a negative fixed-point value
/// v is r - |v|). Returns false for any invalid proof; never reverts on bad input. Precompile
/// calls get exactly their EIP-1108/2565 price, so an invalid point costs that price and makes
/// the call return false instead of burning all gas.
contract ZkinferVerifier {
    /// The verifying key's data contracts, in order (unused ones are address(0)): a key larger
    /// than EIP-170's 24,576 bytes is split across up to four contracts.
    address public immutable key0;
    address public immutable key1;
    address public immutable key2;
    address public immutable key3;

    constructor(address k0, address k1, address k2, address k3) {
        key0 = k0;
        key1 = k1;
        key2 = k2;
        key3 = k3;
    }

    function verifyProof(bytes calldata proof, uint256[] calldata instances) external view returns (bool) {
        address k0 = key0;
        address k1 = key1;
        address k2 = key2;
        address k3 = key3;
        bool ok;
        assembly ("memory-safe") {
            let R := 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001
            ok := 1
            // Memory: B = blob (the key contracts' code after their leading STOP, concatenated),
            // then scratch regions after it.
            let B := mload(0x40)
            let blobLen := 0
            function load(k, dst) -> len {
                if k {
                    len := sub(extcodesize(k), 1)
                    extcodecopy(k, dst, 1, len)
                }
            }
            blobLen := add(blobLen, load(k0, add(B, blobLen)))
            blobLen := add(blobLen, load(k1, add(B, blobLen)))
            blobLen := add(blobLen, load(k2, add(B, blobLen)))
            blobLen := add(blobLen, load(k3, add(B, blobLen)))
            function hw(b, i) -> v { v := mload(add(b, mul(i, 32))) }
            let CH := add(B, and(add(blobLen, 31), not(31))) // challenges
            let nChal := hw(B, 8)
            let VARS := add(CH, mul(nChal, 32)) // l0, llast, lblind, x
            let INST := add(VARS, 128)
            let nRot := hw(B, 19)
            let SCR := add(INST, mul(nRot, 32)) // 256 bytes of precompile scratch
            let ACC := add(SCR, 256) // MSM accumulator (x, y)
            let T := add(ACC, 64) // transcript buffer
            let nInst := instances.length
            let proofLen := proof.length
            let numPoints := hw(B, 6)
            let evalsOff := mul(numPoints, 64)
            let numEvals := hw(B, 7)
            if iszero(eq(proofLen, add(add(evalsOff, mul(numEvals, 32)), 128))) { ok := 0 }
            if gt(nInst, hw(B, 4)) { ok := 0 }
            for { let i := 0 } lt(i, nInst) { i := add(i, 1) } {
                if iszero(lt(calldataload(add(instances.offset, mul(i, 32))), R)) { ok := 0 }
            }
            let evalsPtr := add(proof.offset, evalsOff)
            for { let i := 0 } lt(i, numEvals) { i := add(i, 1) } {
                if iszero(lt(calldataload(add(evalsPtr, mul(i, 32))), R)) { ok := 0 }
            }
            if iszero(ok) {
                mstore(0, 0)
                return(0, 32)
            }

            function inv(s, a) -> r {
                mstore(s, 32)
                mstore(add(s, 32), 32)
                mstore(add(s, 64), 32)
                mstore(add(s, 96), a)
                mstore(add(s, 128), 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593efffffff)
                mstore(add(s, 160), 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001)
                if iszero(staticcall(2000, 5, s, 192, s, 32)) { revert(0, 0) }
                r := mload(s)
            }
            // acc += s·(px, py); returns false when a precompile rejects a point.
            function msmAdd(scr, acc, px, py, s) -> good {
                mstore(scr, px)
                mstore(add(scr, 32), py)
                mstore(add(scr, 64), s)
                good := staticcall(6000, 7, scr, 96, scr, 64)
                mstore(add(scr, 64), mload(acc))
                mstore(add(scr, 96), mload(add(acc, 32)))
                good := and(good, staticcall(150, 6, scr, 128, acc, 64))
            }

            // Transcript: repr || instances || proof, squeezed at the plan's offsets.
            mstore(T, hw(B, 3))
            calldatacopy(add(T, 32), instances.offset, mul(nInst, 32))
            let P := add(add(T, 32), mul(nInst, 32))
            calldatacopy(P, proof.offset, proofLen)
            {
                let sq := add(B, hw(B, 34))
                let start := T
                let absorbed := 0
                for { let i := 0 } lt(i, nChal) { i := add(i, 1) } {
                    let at := hw(sq, i)
                    let len := sub(add(P, at), start)
                    let h
                    switch eq(len, 32)
                    case 1 {
                        mstore(SCR, mload(start))
                        mstore8(add(SCR, 32), 1)
                        h := keccak256(SCR, 33)
                    }
                    default { h := keccak256(start, len) }
                    mstore(add(CH, mul(i, 32)), mod(h, R))
                    start := sub(add(P, at), 32)
                    mstore(start, h)
                }
            }
            // The transcript buffer is consumed: the stack of the program interpreter goes there.

            let x := hw(CH, hw(B, 13))
            let n := hw(B, 1)
            let xn := x
            for { let i := hw(B, 0) } gt(i, 0) { i := sub(i, 1) } { xn := mulmod(xn, xn, R) }
            let xnm1 := addmod(xn, sub(R, 1), R)
            let nInv := hw(B, 33)
            let omega := hw(B, 2)
            // L_i(x) for w = ω^i: w·(xⁿ-1)/(n·(x-w))
            function lag(scr, w, xx, num, ninv) -> l {
                l := mulmod(mulmod(w, num, 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001), ninv, 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001)
                l := mulmod(l, inv(scr, addmod(xx, sub(0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001, w), 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001)), 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001)
            }
            {
                mstore(VARS, lag(SCR, 1, x, xnm1, nInv))
                let omegaInv := hw(B, 39)
                let w := 1
                let blind := 0
                let bf := hw(B, 5)
                for { let i := 0 } lt(i, bf) { i := add(i, 1) } {
                    w := mulmod(w, omegaInv, R)
                    blind := addmod(blind, lag(SCR, w, x, xnm1, nInv), R)
                }
                w := mulmod(w, omegaInv, R)
                mstore(add(VARS, 32), lag(SCR, w, x, xnm1, nInv))
                mstore(add(VARS, 64), blind)
                mstore(add(VARS, 96), x)
                let rots := add(B, hw(B, 35))
                // Σ v_i·L_{i-rot}(x) = (xⁿ-1)/n · Σ v_i·w_i/(x - w_i), w_i = ω^(i-rot), with one
                // batched inversion (prefix products in the consumed transcript buffer).
                for { let q := 0 } lt(q, nRot) { q := add(q, 1) } {
                    let wq := hw(rots, q)
                    let prod := 1
                    for { let i := 0 } lt(i, nInst) { i := add(i, 1) } {
                        mstore(add(T, mul(i, 32)), prod)
                        prod := mulmod(prod, addmod(x, sub(R, wq), R), R)
                        wq := mulmod(wq, omega, R)
                    }
                    let running := inv(SCR, prod)
                    let acc := 0
                    for { let i := nInst } gt(i, 0) { i := sub(i, 1) } {
                        let j := sub(i, 1)
                        wq := mulmod(wq, omegaInv, R)
                        let invD := mulmod(running, mload(add(T, mul(j, 32))), R)
                        running := mulmod(running, addmod(x, sub(R, wq), R), R)
                        let v := calldataload(add(instances.offset, mul(j, 32)))
                        acc := addmod(acc, mulmod(mulmod(v, wq, R), invD, R), R)
                    }
                    mstore(add(INST, mul(q, 32)), mulmod(acc, mulmod(xnm1, nInv, R), R))
                }
            }

            // Constraint program: a postfix stack machine, folded with y.
            let quotientEval
            {
                let y := hw(CH, hw(B, 12))
                let p := add(B, hw(B, 38))
                let end := add(p, hw(B, 22))
                let sp := T
                let acc := 0
                for {} lt(p, end) {} {
                    let op := byte(0, mload(p))
                    switch op
                    case 0x0a {
                        mstore(sp, calldataload(add(evalsPtr, mul(shr(240, mload(add(p, 1))), 32))))
                        sp := add(sp, 32)
                        p := add(p, 3)
                    }
                    case 0x07 {
                        sp := sub(sp, 32)
                        mstore(sub(sp, 32), mulmod(mload(sub(sp, 32)), mload(sp), R))
                        p := add(p, 1)
                    }
                    case 0x06 {
                        sp := sub(sp, 32)
                        mstore(sub(sp, 32), addmod(mload(sub(sp, 32)), mload(sp), R))
                        p := add(p, 1)
                    }
                    case 0x0c {
                        sp := sub(sp, 32)
                        mstore(sub(sp, 32), addmod(mload(sub(sp, 32)), sub(R, mload(sp)), R))
                        p := add(p, 1)
                    }
                    case 0x00 {
                        mstore(sp, mload(add(p, 1)))
                        sp := add(sp, 32)
                        p := add(p, 33)
                    }
                    case 0x08 {
                        mstore(sub(sp, 32), mulmod(mload(sub(sp, 32)), mload(add(p, 1)), R))
                        p := add(p, 33)
                    }
                    case 0x04 {
                        mstore(sp, mload(add(CH, mul(shr(240, mload(add(p, 1))), 32))))
                        sp := add(sp, 32)
                        p := add(p, 3)
                    }
                    case 0x0b {
                        mstore(sp, mload(add(VARS, mul(byte(1, mload(p)), 32))))
                        sp := add(sp, 32)
                        p := add(p, 2)
                    }
                    case 0x03 {
                        mstore(sp, mload(add(INST, mul(shr(240, mload(add(p, 1))), 32))))
                        sp := add(sp, 32)
                        p := add(p, 3)
                    }
                    case 0x05 {
                        mstore(sub(sp, 32), mod(sub(R, mload(sub(sp, 32))), R))
                        p := add(p, 1)
                    }
                    case 0x09 {
                        sp := sub(sp, 32)
                        acc := addmod(mulmod(acc, y, R), mload(sp), R)
                        p := add(p, 1)
                    }
                    default { revert(0, 0) }
                }
                quotientEval := mulmod(acc, inv(SCR, xnm1), R)
            }

            // SHPLONK: one MSM over every commitment, then one pairing.
            {
                let sy := hw(CH, hw(B, 14))
                let v := hw(CH, hw(B, 15))
                let u := hw(CH, hw(B, 16))
                let vkPts := add(B, hw(B, 36))
                let s := add(B, hw(B, 37))
                let nSets := hw(B, 21)
                let qStart := hw(B, 17)
                let qPieces := hw(B, 18)
                let vPow := 1
                let z0 := 0
                let z0DiffInv := 0
                let rOuter := 0
                let BASIS := T // the program stack is done
                mstore(ACC, 0)
                mstore(add(ACC, 32), 0)
                for { let i := 0 } lt(i, nSets) { i := add(i, 1) } {
                    let nr := mload(s)
                    let nd := mload(add(s, 32))
                    let nc := mload(add(s, 64))
                    let pts := add(s, 96)
                    let zDiff := 1
                    for { let j := 0 } lt(j, nd) { j := add(j, 1) } {
                        let pt := mulmod(x, hw(pts, add(nr, j)), R)
                        zDiff := mulmod(zDiff, addmod(u, sub(R, pt), R), R)
                    }
                    switch i
                    case 0 {
                        z0 := 1
                        for { let j := 0 } lt(j, nr) { j := add(j, 1) } {
                            z0 := mulmod(z0, addmod(u, sub(R, mulmod(x, hw(pts, j), R)), R), R)
                        }
                        z0DiffInv := inv(SCR, zDiff)
                        zDiff := 1
                    }
                    default { zDiff := mulmod(zDiff, z0DiffInv, R) }
                    for { let j := 0 } lt(j, nr) { j := add(j, 1) } {
                        let pj := mulmod(x, hw(pts, j), R)
                        let num := 1
                        let den := 1
                        for { let m := 0 } lt(m, nr) { m := add(m, 1) } {
                            if iszero(eq(m, j)) {
                                let pm := mulmod(x, hw(pts, m), R)
                                num := mulmod(num, addmod(u, sub(R, pm), R), R)
                                den := mulmod(den, addmod(pj, sub(R, pm), R), R)
                            }
                        }
                        mstore(add(BASIS, mul(j, 32)), mulmod(num, inv(SCR, den), R))
                    }
                    let c := add(pts, mul(add(nr, nd), 32))
                    let yPow := 1
                    let rInner := 0
                    for { let j := 0 } lt(j, nc) { j := add(j, 1) } {
                        let cref := mload(c)
                        let r := 0
                        for { let m := 0 } lt(m, nr) { m := add(m, 1) } {
                            let eref := mload(add(c, mul(add(m, 1), 32)))
                            let e := quotientEval
                            if iszero(shr(32, eref)) { e := calldataload(add(evalsPtr, mul(eref, 32))) }
                            r := addmod(r, mulmod(mload(add(BASIS, mul(m, 32))), e, R), R)
                        }
                        rInner := addmod(rInner, mulmod(yPow, r, R), R)
                        let sc := mulmod(mulmod(vPow, zDiff, R), yPow, R)
                        let kind := shr(32, cref)
                        let idx := and(cref, 0xffffffff)
                        switch kind
                        case 0 {
                            let pp := add(proof.offset, mul(idx, 64))
                            ok := and(ok, msmAdd(SCR, ACC, calldataload(pp), calldataload(add(pp, 32)), sc))
                        }
                        case 1 {
                            let pp := add(vkPts, mul(idx, 64))
                            ok := and(ok, msmAdd(SCR, ACC, mload(pp), mload(add(pp, 32)), sc))
                        }
                        default {
                            for { let q := 0 } lt(q, qPieces) { q := add(q, 1) } {
                                let pp := add(proof.offset, mul(add(qStart, q), 64))
                                ok := and(ok, msmAdd(SCR, ACC, calldataload(pp), calldataload(add(pp, 32)), sc))
                                sc := mulmod(sc, xn, R)
                            }
                        }
                        yPow := mulmod(yPow, sy, R)
                        c := add(c, mul(add(nr, 1), 32))
                    }
                    rOuter := addmod(rOuter, mulmod(mulmod(vPow, rInner, R), zDiff, R), R)
                    vPow := mulmod(vPow, v, R)
                    s := c
                }
                let h1 := add(proof.offset, add(evalsOff, mul(numEvals, 32)))
                ok := and(ok, msmAdd(SCR, ACC, hw(B, 23), hw(B, 24), sub(R, rOuter)))
                ok := and(ok, msmAdd(SCR, ACC, calldataload(h1), calldataload(add(h1, 32)), sub(R, z0)))
                ok := and(ok, msmAdd(SCR, ACC, calldataload(add(h1, 64)), calldataload(add(h1, 96)), u))
                // e(h2, s·g2) · e(acc, -g2) == 1
                let E := SCR
                mstore(E, calldataload(add(h1, 64)))
                mstore(add(E, 32), calldataload(add(h1, 96)))
                mstore(add(E, 64), hw(B, 29))
                mstore(add(E, 96), hw(B, 30))
                mstore(add(E, 128), hw(B, 31))
                mstore(add(E, 160), hw(B, 32))
                mstore(add(E, 192), mload(ACC))
                mstore(add(E, 224), mload(add(ACC, 32)))
                mstore(add(E, 256), hw(B, 25))
                mstore(add(E, 288), hw(B, 26))
                mstore(add(E, 320), hw(B, 27))
                mstore(add(E, 352), hw(B, 28))
                ok := and(ok, staticcall(113000, 8, E, 384, E, 32))
                ok := and(ok, eq(mload(E), 1))
            }
        }
        return ok;
    }
}
