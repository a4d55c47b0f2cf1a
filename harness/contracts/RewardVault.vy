# pragma version 0.4.3
"""
@title Reference ERC-4626 vault
@notice The local chain's stand-in for GAIB-style GPU-backed vaults (sAID). Deposits and
        withdrawals emit the ERC-4626 `Deposit`/`Withdraw` events; `distribute` moves
        revenue into the vault without minting shares, so the share price
        (`convertToAssets`) rises: the NAV series the pipeline reads.
"""

from ethereum.ercs import IERC20

event Deposit:
    sender: indexed(address)
    owner: indexed(address)
    assets: uint256
    shares: uint256

event Withdraw:
    sender: indexed(address)
    receiver: indexed(address)
    owner: indexed(address)
    assets: uint256
    shares: uint256

event Transfer:
    sender: indexed(address)
    receiver: indexed(address)
    value: uint256

asset: public(address)
decimals: public(uint8)
totalSupply: public(uint256)
balanceOf: public(HashMap[address, uint256])


@deploy
def __init__(_asset: address, _decimals: uint8):
    self.asset = _asset
    self.decimals = _decimals


@view
@external
def totalAssets() -> uint256:
    return staticcall IERC20(self.asset).balanceOf(self)


@view
@internal
def _to_shares(assets: uint256) -> uint256:
    supply: uint256 = self.totalSupply
    if supply == 0:
        return assets
    return assets * supply // staticcall IERC20(self.asset).balanceOf(self)


@view
@internal
def _to_assets(shares: uint256) -> uint256:
    supply: uint256 = self.totalSupply
    if supply == 0:
        return shares
    return shares * staticcall IERC20(self.asset).balanceOf(self) // supply


@view
@external
def convertToAssets(shares: uint256) -> uint256:
    return self._to_assets(shares)


@view
@external
def convertToShares(assets: uint256) -> uint256:
    return self._to_shares(assets)


@external
def deposit(assets: uint256, receiver: address) -> uint256:
    shares: uint256 = self._to_shares(assets)
    assert extcall IERC20(self.asset).transferFrom(msg.sender, self, assets)
    self.totalSupply += shares
    self.balanceOf[receiver] += shares
    log Transfer(sender=empty(address), receiver=receiver, value=shares)
    log Deposit(sender=msg.sender, owner=receiver, assets=assets, shares=shares)
    return shares


@external
def withdraw(assets: uint256, receiver: address, owner: address) -> uint256:
    assert msg.sender == owner, "owner only"
    shares: uint256 = self._to_shares(assets)
    self.balanceOf[owner] -= shares
    self.totalSupply -= shares
    log Transfer(sender=owner, receiver=empty(address), value=shares)
    assert extcall IERC20(self.asset).transfer(receiver, assets)
    log Withdraw(sender=msg.sender, receiver=receiver, owner=owner, assets=assets, shares=shares)
    return shares


@external
def distribute(assets: uint256):
    """Revenue paid into the vault: assets arrive, no shares are minted."""
    assert extcall IERC20(self.asset).transferFrom(msg.sender, self, assets)
