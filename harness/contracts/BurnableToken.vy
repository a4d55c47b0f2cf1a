# pragma version 0.4.3
"""
@title Reference ERC-20 with mint and burn
@notice The local chain's stand-in for a network token (ATH, RNDR, GPU, AID).
        It emits the same `Transfer` events as the real tokens: mints come from
        the zero address and burns go to it, which is what the pipeline decodes.
"""

from ethereum.ercs import IERC20

implements: IERC20

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256

event Approval:
    owner: indexed(address)
    spender: indexed(address)
    value: uint256

name: public(String[32])
symbol: public(String[16])
decimals: public(uint8)
totalSupply: public(uint256)
balanceOf: public(HashMap[address, uint256])
allowance: public(HashMap[address, HashMap[address, uint256]])
minter: public(address)


@deploy
def __init__(_name: String[32], _symbol: String[16], _decimals: uint8):
    self.name = _name
    self.symbol = _symbol
    self.decimals = _decimals
    self.minter = msg.sender


@external
def transfer(_to: address, _value: uint256) -> bool:
    self._transfer(msg.sender, _to, _value)
    return True


@external
def transferFrom(_from: address, _to: address, _value: uint256) -> bool:
    self.allowance[_from][msg.sender] -= _value
    self._transfer(_from, _to, _value)
    return True


@external
def approve(_spender: address, _value: uint256) -> bool:
    self.allowance[msg.sender][_spender] = _value
    log Approval(owner=msg.sender, spender=_spender, value=_value)
    return True


@external
def mint(_to: address, _value: uint256):
    assert msg.sender == self.minter, "only the minter mints"
    assert _to != empty(address), "mint to the zero address"
    self.totalSupply += _value
    self.balanceOf[_to] += _value
    log Transfer(sender=empty(address), receiver=_to, value=_value)


@external
def mintMany(_to: DynArray[address, 1024], _value: DynArray[uint256, 1024]):
    """Batch emission (one Transfer per receiver): lets benchmarks put many logs in few blocks."""
    assert msg.sender == self.minter, "only the minter mints"
    assert len(_to) == len(_value), "receivers and amounts differ in length"
    for i: uint256 in range(len(_to), bound=1024):
        assert _to[i] != empty(address), "mint to the zero address"
        self.totalSupply += _value[i]
        self.balanceOf[_to[i]] += _value[i]
        log Transfer(sender=empty(address), receiver=_to[i], value=_value[i])


@external
def burn(_value: uint256):
    self.balanceOf[msg.sender] -= _value
    self.totalSupply -= _value
    log Transfer(sender=msg.sender, receiver=empty(address), value=_value)


@internal
def _transfer(_from: address, _to: address, _value: uint256):
    assert _to != empty(address), "use burn() to destroy tokens"
    self.balanceOf[_from] -= _value
    self.balanceOf[_to] += _value
    log Transfer(sender=_from, receiver=_to, value=_value)
