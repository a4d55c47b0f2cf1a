# pragma version 0.4.3
"""
@title Reference GPU-lending vault: ERC-4626 deposits, asynchronous ERC-7540 redemptions
@notice The local chain's stand-in for USD.AI's sUSDai (metastreet-labs/metastreet-usdai-contracts
        src/interfaces/IStakedUSDai.sol, IERC7540.sol @ 3347d164646df0000709220f29597eb772412ad6).
        Deposits mint shares at the deposit share price (ERC-4626 `Deposit`); redemptions are
        requested (`RedeemRequest`, shares leave the holder), serviced later by the operator at the
        redemption share price (`RedemptionProcessed`, `RedemptionsServiced`) and then claimed
        (`Withdraw`). The vault lends through the loan router: principal out counts in its NAV
        until repaid; interest repaid raises the share price.

        Reads, as on sUSDai: `nav()` and `depositSharePrice()` value loans at their balance
        (optimistic); `redemptionSharePrice()` values loans in liquidation at zero (conservative);
        `totalAssets()` is the NAV and `convertToAssets` prices at the deposit share price.
        Prices are 18-decimal fixed point; `totalShares()` counts shares waiting for redemption.
"""

from ethereum.ercs import IERC20

FIXED_POINT_SCALE: constant(uint256) = 10**18

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

event RedeemRequest:
    controller: indexed(address)
    owner: indexed(address)
    requestId: indexed(uint256)
    sender: address
    shares: uint256

event RedemptionProcessed:
    redemptionId: indexed(uint256)
    controller: indexed(address)
    fulfilledShares: uint256
    amount: uint256
    pendingShares: uint256

event RedemptionsServiced:
    shares: uint256
    amount: uint256
    allRedemptionsServiced: bool


struct Redemption:
    controller: address
    pending: uint256


asset: public(address)
decimals: public(uint8)
operator: public(address)
loanRouter: public(address)
totalSupply: public(uint256)
balanceOf: public(HashMap[address, uint256])

outstanding: public(uint256)  # loan principal lent and not yet repaid or written off
impaired: public(uint256)  # of which: loans in liquidation
pendingShares: public(uint256)  # requested, not yet serviced
reserved: public(uint256)  # assets of serviced redemptions, waiting to be claimed
claimable: public(HashMap[address, uint256])  # controller -> serviced assets
claimableShares: public(HashMap[address, uint256])
redemptions: public(HashMap[uint256, Redemption])
redemptionHead: public(uint256)
redemptionTail: public(uint256)


@deploy
def __init__(_asset: address, _decimals: uint8):
    self.asset = _asset
    self.decimals = _decimals
    self.operator = msg.sender


@view
@internal
def _nav() -> uint256:
    return staticcall IERC20(self.asset).balanceOf(self) + self.outstanding - self.reserved


@view
@internal
def _total_shares() -> uint256:
    return self.totalSupply + self.pendingShares


@view
@internal
def _price(assets: uint256) -> uint256:
    shares: uint256 = self._total_shares()
    if shares == 0:
        return FIXED_POINT_SCALE
    return assets * FIXED_POINT_SCALE // shares


@view
@external
def nav() -> uint256:
    return self._nav()


@view
@external
def totalAssets() -> uint256:
    return self._nav()


@view
@external
def totalShares() -> uint256:
    return self._total_shares()


@view
@external
def depositSharePrice() -> uint256:
    return self._price(self._nav())


@view
@external
def redemptionSharePrice() -> uint256:
    return self._price(self._nav() - self.impaired)


@view
@external
def convertToAssets(shares: uint256) -> uint256:
    return shares * self._price(self._nav()) // FIXED_POINT_SCALE


@view
@external
def convertToShares(assets: uint256) -> uint256:
    return assets * FIXED_POINT_SCALE // self._price(self._nav())


@external
def deposit(assets: uint256, receiver: address) -> uint256:
    shares: uint256 = assets * FIXED_POINT_SCALE // self._price(self._nav())
    assert extcall IERC20(self.asset).transferFrom(msg.sender, self, assets)
    self.totalSupply += shares
    self.balanceOf[receiver] += shares
    log Transfer(sender=empty(address), receiver=receiver, value=shares)
    log Deposit(sender=msg.sender, owner=receiver, assets=assets, shares=shares)
    return shares


@external
def requestRedeem(shares: uint256, controller: address, owner: address) -> uint256:
    """ERC-7540: the owner's shares leave circulation now; assets follow when the operator services the queue."""
    assert msg.sender == owner, "owner only"
    self.balanceOf[owner] -= shares
    self.totalSupply -= shares
    self.pendingShares += shares
    request_id: uint256 = self.redemptionTail
    self.redemptions[request_id] = Redemption(controller=controller, pending=shares)
    self.redemptionTail = request_id + 1
    log Transfer(sender=owner, receiver=empty(address), value=shares)
    log RedeemRequest(controller=controller, owner=owner, requestId=request_id, sender=msg.sender, shares=shares)
    return request_id


@external
def serviceRedemptions(shares: uint256) -> uint256:
    """Fulfil up to `shares` of the queue, oldest first, at the redemption share price."""
    assert msg.sender == self.operator, "operator only"
    price: uint256 = self._price(self._nav() - self.impaired)
    left: uint256 = shares
    paid: uint256 = 0
    done: uint256 = 0
    for i: uint256 in range(64):
        if left == 0 or self.redemptionHead == self.redemptionTail:
            break
        request_id: uint256 = self.redemptionHead
        r: Redemption = self.redemptions[request_id]
        fulfilled: uint256 = min(left, r.pending)
        amount: uint256 = fulfilled * price // FIXED_POINT_SCALE
        r.pending -= fulfilled
        self.redemptions[request_id] = r
        left -= fulfilled
        done += fulfilled
        paid += amount
        self.claimable[r.controller] += amount
        self.claimableShares[r.controller] += fulfilled
        if r.pending == 0:
            self.redemptionHead = request_id + 1
        log RedemptionProcessed(redemptionId=request_id, controller=r.controller, fulfilledShares=fulfilled,
                                amount=amount, pendingShares=r.pending)
    self.pendingShares -= done
    self.reserved += paid
    log RedemptionsServiced(shares=done, amount=paid, allRedemptionsServiced=self.redemptionHead == self.redemptionTail)
    return paid


@external
def withdraw(assets: uint256, receiver: address, controller: address) -> uint256:
    """Claim serviced assets (ERC-7540 claim through ERC-4626 `withdraw`)."""
    assert msg.sender == controller, "controller only"
    held: uint256 = self.claimable[controller]
    assert assets <= held, "more than is claimable"
    shares: uint256 = self.claimableShares[controller] * assets // held
    self.claimable[controller] = held - assets
    self.claimableShares[controller] -= shares
    self.reserved -= assets
    assert extcall IERC20(self.asset).transfer(receiver, assets)
    log Withdraw(sender=msg.sender, receiver=receiver, owner=controller, assets=assets, shares=shares)
    return shares


# ── lending through the loan router ───────────────────────────────────────────

@external
def setLoanRouter(router: address):
    assert msg.sender == self.operator, "operator only"
    self.loanRouter = router
    assert extcall IERC20(self.asset).approve(router, max_value(uint256))


@external
def onLoanOriginated(principal: uint256):
    assert msg.sender == self.loanRouter, "loan router only"
    self.outstanding += principal


@external
def onLoanRepaid(principal: uint256):
    """Principal back; interest arrives with it as plain assets and raises the share price."""
    assert msg.sender == self.loanRouter, "loan router only"
    self.outstanding -= principal


@external
def onLoanLiquidated(recovered: uint256, written_off: uint256):
    """A liquidated loan settled: `recovered` came back, `written_off` is lost (the share price falls)."""
    assert msg.sender == self.loanRouter, "loan router only"
    self.impaired -= recovered + written_off
    self.outstanding -= recovered + written_off


@external
def onLoanImpaired(principal: uint256):
    assert msg.sender == self.loanRouter, "loan router only"
    self.impaired += principal


@external
def distribute(assets: uint256):
    """Base yield (T-bill yield on idle USDai) paid into the vault: assets arrive, no shares are minted."""
    assert extcall IERC20(self.asset).transferFrom(msg.sender, self, assets)
