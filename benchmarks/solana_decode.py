"""SPL token movements from getTransaction answers (jsonParsed) -> Arrow: ours against solders.

Both sides start from the same answer texts, exactly as a node sends them (the loopback
server's encoder, over real signed transactions executed by LiteSVM: mints, checked and
plain transfers, burns, and multi-instruction transactions). Each side parses the text
and produces the same Arrow table of movements:

* depinlens, as the pipeline reads `getTransaction` (`SolanaClient.transactions(typed=True)`):
  the JSON-RPC layer hands each answer's bytes to `SPL_READER`, whose compiled scanner
  (pipelines/chains/solana/_spl_scan.c) validates the JSON and packs the transaction's
  movements; `decode_token_movements` assembles them into Arrow columns. One answer at a time,
  as they stream in (the `ratio:` line); a batch's answer (100 at a time, one scan per batch)
  is timed too.
* solana-py/solders: `GetTransactionResp.from_json` (Rust serde into typed response
  objects) -> walk those objects -> the same columns.

Two slower paths of ours are timed for reference: msgspec structs of only the fields read plus
the struct walk (what an answer the scanner declines takes, and every answer where the
extension was not built), and orjson plus the dict walk (what an answer no struct fits takes).

The tables are checked equal before timing. Transactions decoded per second are printed
for each; the last line reads `ratio: <ours tx/s / solders tx/s>`.

    .venv/bin/python benchmarks/solana_decode.py [--transactions 3000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import orjson  # noqa: E402
import pyarrow as pa  # noqa: E402
from solders.keypair import Keypair  # noqa: E402
from solders.rpc.responses import GetTransactionResp  # noqa: E402

from benchmarks._timing import best_of  # noqa: E402
from harness.solana import tokens as spl_tokens  # noqa: E402
from harness.solana.identities import local_keypair  # noqa: E402
from harness.solana.ledger import SolanaLedger  # noqa: E402
from harness.solana.wire import transaction_result  # noqa: E402
from pipelines.chains.solana import SPL_MOVEMENTS_SCHEMA, decode_token_movements  # noqa: E402
from pipelines.chains.solana._decode import MOVEMENT_KINDS, TOKEN_PROGRAMS, ZERO_PUBKEY  # noqa: E402
from pipelines.chains.solana._scan import AVAILABLE as SCANNER_BUILT, SPL_READER, ScannedTransaction  # noqa: E402
from pipelines.chains.solana._wire import Transaction  # noqa: E402
from pipelines.http._jsonrpc import jsonrpc_result, typed_result  # noqa: E402


def build_answers(n: int) -> list[bytes]:
    """`n` getTransaction answer bodies from a LiteSVM ledger of real signed SPL transactions."""
    ledger = SolanaLedger(int(datetime(2025, 6, 1, tzinfo=UTC).timestamp()))
    authority = local_keypair("bench/authority")
    mint = local_keypair("bench/mint")
    ledger.fund(authority.pubkey())
    spl_tokens.create_mint(ledger, mint, authority, 8)
    holders = [Keypair.from_seed(bytes([i + 1]) * 32) for i in range(8)]
    for holder in holders:
        ledger.fund(holder.pubkey())
        spl_tokens.open_account(ledger, authority, holder.pubkey(), mint.pubkey())
        spl_tokens.mint_to(ledger, mint.pubkey(), authority, holder.pubkey(), 10**15)
    start = len(ledger.records)
    m = mint.pubkey()
    for i in range(n):
        ledger.at(ledger.now + 7)
        a, b = holders[i % 8], holders[(i * 3 + 1) % 8]
        if a == b:
            b = holders[(i + 1) % 8]
        kind = i % 5
        if kind == 0:
            spl_tokens.mint_to(ledger, m, authority, a.pubkey(), 1000 + i, checked=i % 2 == 0)
        elif kind == 1:
            spl_tokens.transfer(ledger, m, a, b.pubkey(), 10 + i, checked=i % 3 != 0)
        elif kind == 2:
            spl_tokens.burn(ledger, m, a, 5 + i, checked=i % 2 == 1)
        else:  # several movements in one transaction
            ledger.send([spl_tokens.transfer_ix(ledger, m, a.pubkey(), b.pubkey(), 3 + i),
                         spl_tokens.transfer_ix(ledger, m, a.pubkey(), b.pubkey(), 4 + i, checked=False),
                         spl_tokens.burn_ix(ledger, m, a.pubkey(), 2 + i)], [a])
    return [b'{"jsonrpc":"2.0","result":' + json.dumps(transaction_result(r), sort_keys=True,
                                                         separators=(",", ":")).encode() + b',"id":1}'
            for r in ledger.records[start:]]


BATCH = 100  # getTransaction calls per request, as the pipeline batches them


def _parsed(body: bytes) -> object:
    return jsonrpc_result(orjson.loads(body), chain="bench", method="getTransaction", detail="")


def decode_ours(bodies: list[bytes]) -> pa.Table:
    """depinlens as the pipeline reads answers: `SPL_READER` on each answer's bytes (the scanner, else structs,
    else parsed), then the decoder. One answer at a time, as they stream in."""
    read_one = SPL_READER.read_one
    return decode_token_movements(r if (r := read_one(body)) is not None else _parsed(body) for body in bodies)


def batch_answers(bodies: list[bytes]) -> list[tuple[bytes, range]]:
    """The same answers as a node sends them for batched calls: JSON arrays of BATCH answers, with the
    calls' ids."""
    batches = []
    for start in range(0, len(bodies), BATCH):
        part = bodies[start:start + BATCH]
        ids = range(start + 1, start + 1 + len(part))
        answers = [body.removesuffix(b',"id":1}') + b',"id":%d}' % i for body, i in zip(part, ids, strict=True)]
        batches.append((b"[" + b",".join(answers) + b"]", ids))
    return batches


def decode_ours_batched(batches: list[tuple[bytes, range]]) -> pa.Table:
    """depinlens on batch answers: one `read_batch` per batch's answer, then the decoder."""
    results = []
    for content, ids in batches:
        read = SPL_READER.read_batch(content, ids)
        if read is None:
            raise SystemExit("a batch answer was declined: the benchmark's inputs are not what a node sends")
        results += read
    return decode_token_movements(results)


def decode_typed(bodies: list[bytes]) -> pa.Table:
    """depinlens without the scanner: msgspec structs of only the fields read, then the struct walk."""
    return decode_token_movements(t if (t := typed_result(body, Transaction)) is not None else _parsed(body)
                                  for body in bodies)


def decode_dicts(bodies: list[bytes]) -> pa.Table:
    """depinlens before: parse with orjson, decode the dicts."""
    return decode_token_movements(orjson.loads(body)["result"] for body in bodies)


def decode_solders(bodies: list[bytes]) -> pa.Table:
    """The same table through solders' typed response objects."""
    cols: dict[str, list] = {name: [] for name in SPL_MOVEMENTS_SCHEMA.names}
    for body in bodies:
        value = GetTransactionResp.from_json(body.decode()).value
        meta = value.transaction.meta
        if meta.err is not None:
            continue
        ui = value.transaction.transaction
        keys = [str(k.pubkey) for k in ui.message.account_keys]
        found = [(i, -1, ins) for i, ins in enumerate(ui.message.instructions)
                 if str(ins.program_id) in TOKEN_PROGRAMS]
        for group in meta.inner_instructions or ():
            found += [(group.index, j, ins) for j, ins in enumerate(group.instructions)
                      if str(ins.program_id) in TOKEN_PROGRAMS]
        owners, mints, decimals = {}, {}, {}
        for balance in (*(meta.pre_token_balances or ()), *(meta.post_token_balances or ())):
            account = keys[balance.account_index]
            mints[account] = str(balance.mint)
            decimals[account] = balance.ui_token_amount.decimals
            if balance.owner is not None:
                owners[account] = str(balance.owner)
        signature = str(ui.signatures[0])
        for outer, inner, ins in sorted(found, key=lambda f: (f[0], f[1])):
            parsed = getattr(ins, "parsed", None)
            if not isinstance(parsed, dict) or parsed.get("type") not in MOVEMENT_KINDS:
                continue
            itype, info = parsed["type"], parsed["info"]
            kind = MOVEMENT_KINDS[itype]
            token_amount = info.get("tokenAmount")
            amount, tx_decimals = ((token_amount["amount"], token_amount["decimals"]) if token_amount
                                   else (info["amount"], None))
            if kind == "transfer":
                src, dst = info["source"], info["destination"]
                mint = info.get("mint") or mints.get(src) or mints.get(dst)
                frm, to, auth = owners.get(src, src), owners.get(dst, dst), info.get("authority")
                tx_decimals = tx_decimals if tx_decimals is not None else decimals.get(src, decimals.get(dst))
            elif kind == "mint":
                src, dst, mint = None, info["account"], info["mint"]
                frm, to, auth = ZERO_PUBKEY, owners.get(dst, dst), info.get("mintAuthority")
                tx_decimals = tx_decimals if tx_decimals is not None else decimals.get(dst)
            else:
                src, dst, mint = info["account"], None, info["mint"]
                frm, to, auth = owners.get(src, src), ZERO_PUBKEY, info.get("authority")
                tx_decimals = tx_decimals if tx_decimals is not None else decimals.get(src)
            for name, v in (("slot", value.slot), ("block_time", value.block_time), ("signature", signature),
                            ("log_index", outer), ("inner_index", None if inner < 0 else inner),
                            ("instruction", itype), ("kind", kind), ("program_id", str(ins.program_id)),
                            ("mint", mint), ("tx_decimals", tx_decimals), ("source_account", src),
                            ("destination_account", dst), ("from_address", frm), ("to_address", to),
                            ("authority", auth), ("amount_raw", int(amount))):
                cols[name].append(v)
    seconds = pa.array(cols.pop("block_time"), pa.int64())
    arrays = {name: pa.array(values, SPL_MOVEMENTS_SCHEMA.field(name).type) for name, values in cols.items()}
    arrays["block_time"] = seconds.cast(pa.timestamp("s", tz="UTC")).cast(SPL_MOVEMENTS_SCHEMA.field("block_time").type)
    return pa.table({name: arrays[name] for name in SPL_MOVEMENTS_SCHEMA.names}, schema=SPL_MOVEMENTS_SCHEMA)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transactions", type=int, default=3000, help="transactions to decode (default 3,000)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    started = time.perf_counter()
    bodies = build_answers(args.transactions)
    size = sum(len(b) for b in bodies)
    print(f"inputs: {len(bodies):,} getTransaction answers ({size / 1e6:.1f} MB), built and signed with LiteSVM "
          f"in {time.perf_counter() - started:.1f} s")

    batches = batch_answers(bodies)
    tables = {"ours": decode_ours(bodies), "batched": decode_ours_batched(batches), "typed": decode_typed(bodies),
              "dicts": decode_dicts(bodies), "solders": decode_solders(bodies)}
    if not all(table.equals(tables["solders"]) for table in tables.values()):
        raise SystemExit("the decoders disagree; refusing to time them")
    scanned = sum(type(SPL_READER.read_one(body)) is ScannedTransaction for body in bodies)
    typed = sum(typed_result(body, Transaction) is not None for body in bodies)
    print(f"all decoders give the same {tables['ours'].num_rows:,} movements; {scanned:,} of {len(bodies):,} answers "
          f"read by the compiled scanner, {typed:,} fit the typed structs")
    if not SCANNER_BUILT:
        print("the compiled scanner is not built (no C compiler at install): 'ours' is the struct path")

    timings = {name: best_of(args.repeats, decode) for name, decode in [
        ("ours", lambda: decode_ours(bodies)), ("batched", lambda: decode_ours_batched(batches)),
        ("typed", lambda: decode_typed(bodies)), ("dicts", lambda: decode_dicts(bodies)),
        ("solders", lambda: decode_solders(bodies))]}
    labels = {"ours": "depinlens (scanner, answer by answer)", "batched": f"depinlens (scanner, batches of {BATCH})",
              "typed": "depinlens without scanner (msgspec structs)", "dicts": "depinlens before (orjson + dict walk)",
              "solders": "solana-py/solders (typed responses)"}
    rate = {name: len(bodies) / seconds for name, seconds in timings.items()}
    for name, seconds in timings.items():
        print(f"{labels[name] + ':':46} {rate[name]:12,.0f} tx/s  ({seconds * 1e3:.1f} ms)")
    print(f"ratio: {rate['ours'] / rate['solders']:.2f}")

if __name__ == "__main__":
    main()
