# pragma version 0.4.3
"""
@title Reference call forwarder
@notice Calls another contract on its caller's behalf, as a multicall or a smart wallet does, so the
        local chain has transactions whose `to` is not the contract that does the work (a loan
        originated through it: the router's borrow() is an internal call, not the transaction's).
"""


@external
def forward(target: address, data: Bytes[4096]):
    """Call `target` with `data`; revert if it reverts."""
    raw_call(target, data)
